import { CloseCode } from "../wire/close-codes.js";

/** Closes a socket we are done with, normally; one already closed (or never opened) is fine as it is. */
export function closeSocket(ws: WebSocket | null, reason: string): void {
  try {
    ws?.close(CloseCode.NORMAL, reason);
  } catch {
    // already closed
  }
}
