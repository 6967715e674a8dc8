/**
 * A bare relay socket for load generation: `ws` with the bearer header, pre-encoded frames sent as is,
 * server frames decoded with the client library (welcome, pongs with the session counters, alerts,
 * errors). The RelayClient would re-encode every point in Node, which on this 2-core machine would
 * compete with workerd for CPU and cap the offered rate well below what the edge can take.
 */
import type WebSocket from "ws";
import type { SessionCounters } from "../../src/client/messages.js";
import { decodeServerFrame, encodePingFrame } from "../../src/client/wire.js";
import { PlainWebSocket } from "./plain-web-socket.js";

export class RawRelay {
  private ws: WebSocket | null = null;
  private nonce = 0;
  private readonly waiting = new Map<number, (c: SessionCounters) => void>();
  readonly received = { alerts: 0, errors: 0, rateLimits: 0, errorCodes: {} as Record<string, number> };
  lastCounters: SessionCounters | null = null;
  closed = false;

  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  async connect(timeoutMs = 15_000): Promise<void> {
    const ws = new PlainWebSocket(`${this.url}/v1/connect`, undefined, { headers: { Authorization: `Bearer ${this.token}` }, maxPayload: 4 * 1024 * 1024 });
    ws.binaryType = "nodebuffer";
    this.ws = ws;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no welcome within ${timeoutMs} ms`)), timeoutMs);
      ws.on("message", (data: Buffer) => {
        let m: ReturnType<typeof decodeServerFrame>;
        try {
          m = decodeServerFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        } catch {
          return;
        }
        switch (m.type) {
          case "welcome":
            clearTimeout(timer);
            resolve();
            break;
          case "pong": {
            this.lastCounters = m.counters;
            const w = this.waiting.get(m.nonce);
            this.waiting.delete(m.nonce);
            w?.(m.counters);
            break;
          }
          case "alert":
            this.received.alerts++;
            break;
          case "error":
            this.received.errors++;
            this.received.errorCodes[m.code] = (this.received.errorCodes[m.code] ?? 0) + (m.count || 1);
            break;
          case "rateLimit":
            this.received.rateLimits++;
            break;
        }
      });
      ws.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      ws.on("close", () => {
        this.closed = true;
        clearTimeout(timer);
        reject(new Error("closed before welcome"));
      });
    });
  }

  get bufferedAmount(): number {
    return this.ws?.bufferedAmount ?? 0;
  }

  send(bytes: Uint8Array): void {
    this.ws!.send(bytes, { binary: true });
  }

  /** The session counters, answered after every frame sent before it (one socket is in order). */
  ping(timeoutMs = 20_000): Promise<SessionCounters> {
    const nonce = ++this.nonce;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(nonce);
        reject(new Error(`no pong within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(nonce, (c) => {
        clearTimeout(timer);
        resolve(c);
      });
      this.ws!.send(encodePingFrame(nonce), { binary: true });
    });
  }

  close(): void {
    try {
      this.ws?.close(1000, "bench done");
    } catch {
      // already closed
    }
    const ws = this.ws;
    this.ws = null;
    if (ws) setTimeout(() => ws.terminate(), 1000).unref();
  }
}
