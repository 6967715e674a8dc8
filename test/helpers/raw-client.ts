/**
 * A Workers-runtime test socket that keeps what the server sends as raw bytes (the hostile-bytes
 * test judges every reply itself, so it must not throw on one it cannot decode) and says when the
 * server closed it. Frames are waited for by predicate with a bound, never by a bare sleep.
 */
import { SELF } from "cloudflare:test";

export interface RawClient {
  /** Every binary message received, in order. */
  received: Uint8Array[];
  closed: { code: number; reason: string } | null;
  send(data: Uint8Array | string): void;
  /** Resolves once `pred` holds for the socket (checked on every message and on close). */
  until(pred: () => boolean, timeoutMs: number, what: string): Promise<void>;
  close(): void;
}

export async function connectRaw(token: string): Promise<RawClient> {
  const resp = await SELF.fetch("https://airspace.test/v1/connect", { headers: { Upgrade: "websocket", Authorization: `Bearer ${token}` } });
  if (resp.status !== 101 || !resp.webSocket) throw new Error(`connect failed: ${resp.status} ${await resp.text()}`);
  const ws = resp.webSocket;
  ws.accept();
  ws.binaryType = "arraybuffer";
  const waiters = new Set<() => void>();
  const c: RawClient = {
    received: [],
    closed: null,
    send(data) {
      ws.send(data);
    },
    until(pred, timeoutMs, what) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!pred()) return;
          waiters.delete(check);
          clearTimeout(t);
          resolve();
        };
        const t = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close() {
      try {
        ws.close(1000, "test done");
      } catch {
        // already closed
      }
    },
  };
  ws.addEventListener("message", (ev) => {
    c.received.push(typeof ev.data === "string" ? new TextEncoder().encode(ev.data) : new Uint8Array(ev.data as ArrayBuffer));
    for (const w of [...waiters]) w();
  });
  ws.addEventListener("close", (ev) => {
    c.closed = { code: ev.code, reason: ev.reason };
    for (const w of [...waiters]) w();
  });
  return c;
}
