/**
 * The bare-transport baseline's region object: accepts gateway links exactly like
 * src/region/region-object.ts (same /link URL, hibernatable socket tagged by link id, `hello`, `ack`
 * from src/wire/link-protocol.ts) but applies nothing: it reads the batch header's seq and point
 * count, counts them, and acks every batch at once. Used only by scripts/bench/bare-worker.ts.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../../src/env.js";
import { peekBatch } from "../../src/wire/batch-codec.js";
import { encodeControl } from "../../src/wire/link-protocol.js";
import { acceptLink, linkIdOf } from "../../src/region/link-socket.js";

export class BareRegionObject extends DurableObject<Env> {
  private readonly applied = new Map<string, number>();
  readonly stats = { batches: 0, duplicateBatches: 0, badBatches: 0, points: 0 };

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const region = url.searchParams.get("region") ?? "";
    if (url.pathname === "/link") return acceptLink(this.ctx, request, (id) => this.applied.get(id) ?? 0).response;
    if (url.pathname === "/ops/stats") return Response.json({ region, links: this.ctx.getWebSockets().length, activeAlerts: 0, ...this.stats });
    return new Response("not found", { status: 404 });
  }

  override async webSocketMessage(ws: WebSocket, message: ArrayBuffer | string): Promise<void> {
    if (typeof message === "string") return;
    const linkId = linkIdOf(ws) ?? "";
    const h = peekBatch(new Uint8Array(message));
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
