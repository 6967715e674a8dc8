/**
 * The bare-transport baseline's region object: accepts gateway links exactly like
 * src/region/region-object.ts (same /link URL, hibernatable socket tagged by link id, `hello`, `ack`
 * from src/pipeline/link-protocol.ts) but applies nothing: it reads the batch header's seq and point
 * count, counts them, and acks every batch at once. Used only by scripts/bench/bare-worker.ts.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../../src/env.js";
import { BATCH_MAGIC, BATCH_VERSION } from "../../src/pipeline/batch-codec.js";
import { encodeControl } from "../../src/pipeline/link-protocol.js";

const POINT_BYTES = 48;

/** seq and point count from a batch header (layout in src/pipeline/batch-codec.ts); null if malformed. */
export function readBatchHeader(bytes: Uint8Array): { seq: number; points: number } | null {
  if (bytes.length < 17 || bytes[0] !== BATCH_MAGIC || bytes[1] !== BATCH_VERSION) return null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const seq = dv.getUint32(4, true);
  let o = 16;
  o += 1 + dv.getUint8(o); // traceparent
  if (o >= bytes.length) return null;
  o += 1 + 8 * dv.getUint8(o); // counters
  if (o + 2 > bytes.length) return null;
  const ids = dv.getUint16(o, true);
  o += 2;
  for (let i = 0; i < ids && o < bytes.length; i++) o += 1 + dv.getUint8(o);
  if (o + 4 > bytes.length) return null;
  const points = dv.getUint32(o, true);
  return o + 4 + points * POINT_BYTES === bytes.length ? { seq, points } : null;
}

export class BareRegionObject extends DurableObject<Env> {
  private readonly applied = new Map<string, number>();
  readonly stats = { batches: 0, duplicateBatches: 0, badBatches: 0, points: 0 };

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const region = url.searchParams.get("region") ?? "";
    if (url.pathname === "/link") {
      const linkId = url.searchParams.get("link") ?? "";
      if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket" || !/^[\w.:-]{1,128}$/.test(linkId))
        return new Response("expected a WebSocket upgrade with a link id", { status: 400 });
      const pair = new WebSocketPair();
      const server = pair[1];
      this.ctx.acceptWebSocket(server, [linkId]);
      server.serializeAttachment({ linkId });
      server.send(encodeControl({ t: "hello", applied: this.applied.get(linkId) ?? 0 }));
      return new Response(null, { status: 101, webSocket: pair[0] });
    }
    if (url.pathname === "/ops/stats")
      return Response.json({ region, links: this.ctx.getWebSockets().length, activeAlerts: 0, ...this.stats });
    return new Response("not found", { status: 404 });
  }

  override async webSocketMessage(ws: WebSocket, message: ArrayBuffer | string): Promise<void> {
    if (typeof message === "string") return;
    const linkId = (ws.deserializeAttachment() as { linkId?: string } | null)?.linkId ?? "";
    const h = readBatchHeader(new Uint8Array(message));
    if (!h) {
      this.stats.badBatches++;
      ws.close(1002, "bad batch");
      return;
    }
    this.stats.batches++;
    if (h.seq <= (this.applied.get(linkId) ?? 0)) {
      this.stats.duplicateBatches++;
      return;
    }
    this.applied.set(linkId, h.seq);
    this.stats.points += h.points;
    ws.send(encodeControl({ t: "ack", seq: h.seq }));
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "closing");
    } catch {
      // already closed
    }
  }
}
