/**
 * One socket into the region under test, opened through the bench entry (worker.ts): a hub-like socket
 * (the region's /hub, as an IngestHub connects: bundles up, enveloped frames down) or a gateway link's
 * own socket (its /link: batches up, frames down as they are). Replies go to `onReply` with the gateway
 * link they are for.
 */
import WebSocket from "ws";
import { openEnvelopes } from "../../../src/wire/hub-protocol.js";

export type DoorKind = "hub" | "link";

export class RegionDoor {
  private ws: WebSocket | null = null;
  closed = false;
  /** Messages the region sent on this socket (frames or envelopes of frames): its outbound message count. */
  received = 0;

  constructor(
    readonly kind: DoorKind,
    /** The hub's shard, or the link's id. */
    readonly name: string,
    private readonly onReply: (linkId: string, data: string | Uint8Array, nowMs: number) => void,
  ) {}

  connect(wsUrl: string, secret: string, region: string, timeoutMs = 20_000): Promise<void> {
    const q = this.kind === "hub" ? `hub=${this.name}` : `link=${encodeURIComponent(this.name)}`;
    const ws = new WebSocket(`${wsUrl}/bench/${this.kind}?region=${region}&${q}`, {
      headers: { "x-airspace-bench": secret },
      maxPayload: 16 * 1024 * 1024,
      // As production's hubs and gateway links open theirs (stub.fetch with only `Upgrade: websocket`, no
      // extension offered): ws would offer permessage-deflate, and zlib then cost the feeder ~40 % of its CPU
      // and the region an inflate per message that production does not pay.
      perMessageDeflate: false,
      // A zero mask: ws then skips masking every byte sent, which at 100,000 reports a second is CPU the region under test would not get.
      generateMask: (mask: Buffer) => mask.fill(0),
    });
    ws.binaryType = "nodebuffer";
    this.ws = ws;
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      this.received++;
      this.reply(isBinary ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : data.toString("utf8"));
    });
    ws.on("close", () => {
      this.closed = true;
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.kind} ${this.name}: not open within ${timeoutMs} ms`)), timeoutMs);
      ws.once("open", () => {
        clearTimeout(timer);
        resolve();
      });
      ws.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      ws.once("unexpected-response", (_req, res) => {
        clearTimeout(timer);
        reject(new Error(`${this.kind} ${this.name}: answered ${res.statusCode}`));
      });
    });
  }

  send(data: Uint8Array | string): void {
    if (this.closed || !this.ws) throw new Error(`${this.kind} ${this.name}: the region closed the socket`);
    this.ws.send(data, { binary: typeof data !== "string" });
  }

  get bufferedAmount(): number {
    return this.ws?.bufferedAmount ?? 0;
  }

  close(): void {
    const ws = this.ws;
    this.ws = null;
    if (!ws) return;
    try {
      ws.close(1000, "bench done");
    } catch {
      // already closed
    }
    setTimeout(() => ws.terminate(), 1000).unref();
  }

  private reply(data: string | Uint8Array): void {
    const now = Date.now();
    if (this.kind === "link") {
      this.onReply(this.name, data, now);
      return;
    }
    for (const env of openEnvelopes(data)) this.onReply(env.linkId, env.frame, now);
  }
}
