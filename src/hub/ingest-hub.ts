/**
 * An ingest hub: a Durable Object keyed by (region, shard) between single-drone gateway links and their
 * region, used when the region asks for it (src/link/hub-policy.ts). It gathers the links' batches for
 * one window and sends them to the region as one bundle (src/wire/hub-protocol.ts), so the region's
 * messages grow with its hubs, not with its drone sockets. Every batch keeps its gateway link's
 * sequence, and the region's ledger stays per gateway link: a hub holds nothing the gateway does not
 * still hold unacknowledged, so a hub restart, a region restart or a route switch loses and duplicates
 * nothing (the gateway resends after the next hello). Frames back from the region come addressed to a
 * link and are passed on unchanged.
 */
import { DurableObject } from "cloudflare:workers";
import { loadOptions } from "../config.js";
import type { Env } from "../env.js";
import { nextBackoffMs } from "../link/backoff.js";
import { HubWindow } from "../link/hub-window.js";
import { log } from "../log.js";
import { HUB_MAX_BATCHES } from "../tunables.js";
import { isUrgentBatch } from "../wire/batch-codec.js";
import { CloseCode } from "../wire/close-codes.js";
import { type BundledBatch, encodeBundle, encodeHubControl, openEnvelopes } from "../wire/hub-protocol.js";
import { hubLinkParams, linkOfHubSocket } from "./hub-link.js";

export class IngestHub extends DurableObject<Env> {
  private readonly opts = loadOptions(this.env);
  private readonly window = new HubWindow<BundledBatch>(this.opts.batchWindowMs, HUB_MAX_BATCHES);
  private where: { region: string; shard: string } | null = null;
  private region: WebSocket | null = null;
  private connecting = false;
  private attempt = 0;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private flushAtMs = Infinity;
  readonly stats = { batches: 0, bundles: 0, droppedWhileAway: 0 };

  override async fetch(request: Request): Promise<Response> {
    const p = hubLinkParams(request);
    if (!p.ok) return p.response;
    this.where ??= { region: p.region, shard: p.shard };
    if (p.region !== this.where.region || p.shard !== this.where.shard) return new Response("wrong hub", { status: 409 });
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1], [p.linkId]);
    pair[1].serializeAttachment({ linkId: p.linkId, region: p.region, shard: p.shard });
    this.announce(p.linkId);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  /** A gateway batch: into the window (nothing is kept while the region is away: the gateway still holds it). */
  override webSocketMessage(ws: WebSocket, message: ArrayBuffer | string): void {
    const link = linkOfHubSocket(ws);
    if (typeof message === "string" || !link) return;
    this.where ??= { region: link.region, shard: link.shard };
    if (!this.region) {
      this.stats.droppedWhileAway++;
      this.ensureRegion();
      return;
    }
    const bytes = new Uint8Array(message);
    this.stats.batches++;
    const now = Date.now();
    const full = this.window.add({ linkId: link.linkId, bytes }, isUrgentBatch(bytes), now);
    if (full) this.send(full);
    else this.armFlush(now);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    const link = linkOfHubSocket(ws);
    if (link) this.sendRegion(encodeHubControl({ t: "closed", link: link.linkId }));
    try {
      ws.close(code === 1005 || code === 1006 ? CloseCode.NORMAL : code, "closing");
    } catch {
      // already closed
    }
  }

  /** Tells the region a gateway link is behind this hub, so it greets it (hello) and routes to it here. */
  private announce(linkId: string): void {
    if (this.region) this.sendRegion(encodeHubControl({ t: "open", link: linkId }));
    else this.ensureRegion(); // announced with every other link once connected
  }

  /** One window's batches to the region as one bundle. */
  private send(batches: BundledBatch[]): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.stats.bundles++;
    this.sendRegion(encodeBundle(batches));
  }

  /**
   * Flushes at the window's deadline. An urgent batch moves the deadline to now: the timer is re-armed
   * once to fire with no delay, after the input already queued to this hub (never re-armed later than
   * it was, so a steady stream of batches cannot postpone it).
   */
  private armFlush(nowMs: number): void {
    const at = this.window.nextDeadline();
    if (this.flushTimer && at >= this.flushAtMs) return;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushAtMs = at;
    this.flushTimer = setTimeout(
      () => {
        this.flushTimer = null;
        const due = this.window.due(Infinity);
        if (due) this.send(due);
      },
      Math.max(0, at - nowMs),
    );
  }

  private sendRegion(data: Uint8Array | string): void {
    try {
      this.region?.send(data);
    } catch {
      this.regionGone();
    }
  }

  private ensureRegion(): void {
    if (this.region || this.connecting || !this.where) return;
    this.connecting = true;
    void this.connectRegion(this.where).finally(() => {
      this.connecting = false;
    });
  }

  private async connectRegion(w: { region: string; shard: string }): Promise<void> {
    try {
      const stub = this.env.REGION.get(this.env.REGION.idFromName(w.region));
      const resp = await stub.fetch(`https://region/hub?region=${encodeURIComponent(w.region)}&hub=${encodeURIComponent(w.shard)}`, {
        headers: { Upgrade: "websocket" },
      });
      const ws = resp.webSocket;
      if (resp.status !== 101 || !ws) throw new Error(`region answered ${resp.status}`);
      ws.accept();
      ws.binaryType = "arraybuffer";
      ws.addEventListener("message", (ev) => this.fromRegion(ev.data));
      ws.addEventListener("close", () => this.regionGone());
      ws.addEventListener("error", () => this.regionGone());
      this.region = ws;
      this.attempt = 0;
      // Every link behind this hub is greeted anew: each gateway resends what the region does not have.
      for (const s of this.ctx.getWebSockets()) {
        const link = linkOfHubSocket(s);
        if (link) ws.send(encodeHubControl({ t: "open", link: link.linkId }));
      }
    } catch (e) {
      log("hub: region link failed", { region: w.region, shard: w.shard, error: String(e) }, "error");
      this.retryLater();
    }
  }

  private fromRegion(data: unknown): void {
    for (const env of openEnvelopes(data instanceof ArrayBuffer ? new Uint8Array(data) : typeof data === "string" ? data : new Uint8Array(0))) {
      const links = this.ctx.getWebSockets(env.linkId);
      // The region thinks this link is here, and it is not (it moved on): say so, and the region sends
      // its next frames on the link's own socket or holds them, instead of here for nobody.
      if (links.length === 0) this.sendRegion(encodeHubControl({ t: "closed", link: env.linkId }));
      for (let i = 0; i < links.length; i++) {
        try {
          links[i]!.send(env.frame); // indexed: a for-of allocated an iterator and a result per step
        } catch {
          // that gateway link is gone; the region holds its frames once told
        }
      }
    }
  }

  private regionGone(): void {
    if (!this.region) return;
    this.region = null;
    this.window.due(Infinity); // dropped: the gateways still hold them unacknowledged, resent after the next hello
    if (this.ctx.getWebSockets().length > 0) this.retryLater();
  }

  private retryLater(): void {
    setTimeout(() => this.ensureRegion(), nextBackoffMs(this.attempt++));
  }
}
