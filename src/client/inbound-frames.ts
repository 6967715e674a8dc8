/**
 * The server's frames in arrival order. A message's data is read synchronously (ArrayBuffer, as the
 * client asks for), but a browser that ignored binaryType hands a Blob, read asynchronously: later
 * frames then queue behind it, so a pong never overtakes the welcome or an alert its predecessor.
 */
import type { ServerMessage } from "./messages.js";
import { messageBytes } from "./socket.js";
import { decodeServerFrame } from "./wire.js";

export class InboundFrames {
  private pending: Promise<void> | null = null;
  private readonly handle: (bytes: Uint8Array) => void;

  /** `handle` gets each frame decoded; `fail` hears of one that cannot be (the connection goes on). */
  constructor(
    handle: (msg: ServerMessage) => void,
    private readonly fail: (error: unknown) => void,
  ) {
    this.handle = (bytes) => {
      let msg: ServerMessage;
      try {
        msg = decodeServerFrame(bytes);
      } catch (error) {
        fail(error);
        return;
      }
      handle(msg);
    };
  }

  /** One message event's data; text frames are ignored. */
  push(data: unknown): void {
    const bytes = messageBytes(data);
    if (bytes === null) return;
    if (!(bytes instanceof Promise) && this.pending === null) {
      this.handle(bytes);
      return;
    }
    const next = (this.pending ?? Promise.resolve()).then(async () => this.handle(await bytes)).catch(this.fail);
    this.pending = next;
    void next.then(() => {
      if (this.pending === next) this.pending = null;
    });
  }
}
