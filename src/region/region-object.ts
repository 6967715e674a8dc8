/**
 * The region Durable Object: a thin shell that turns runtime events into calls on the pure RegionCore
 * (src/detect/region-core.ts). It accepts one hibernatable WebSocket per gateway link, applies each
 * batch exactly once (per-link sequence numbers, persisted with the state they produced), routes
 * alerts to the links that carry the drones, and runs a one-second alarm for metrics and checkpoints.
 */
import { DurableObject } from "cloudflare:workers";
import { loadOptions, type Options } from "../config.js";
import type { Env } from "../env.js";
import { BatchFormatError, decodeBatch } from "../wire/batch-codec.js";
import { farRadiusM, farVerdictValidityMs, REGION_TICK_MS } from "../detect/far-verdict.js";
import { encodeControl } from "../wire/link-protocol.js";
import { LinkLedger } from "../link/link-ledger.js";
import { HeldFrames } from "../link/held-frames.js";
import { RegionCore, type RegionOutput } from "../detect/region-core.js";
import { metricsToDataPoints } from "./metrics-mapping.js";
import { AnalyticsEngineSink, type MetricsSink } from "./metrics-sink.js";
import { acceptLink, linkIdOf } from "./link-socket.js";
import { RegionStore } from "./region-store.js";
import { AlertAudit, type StartedAlert } from "./alert-audit.js";
import { outputFrame } from "./output-frames.js";
import { opsResponse } from "./ops-routes.js";
import { OpsStream } from "./ops-stream.js";
import { log } from "../log.js";
import { CloseCode } from "../wire/close-codes.js";

const TICK_MS = REGION_TICK_MS;
const DIRECTORY_REPORT_MS = 60_000;
const PRUNE_EVERY_MS = 60_000;
/** How far back the audit is searched for encounters to re-open after a restart. */
const RESTORE_ALERTS_MS = 60_000;
/** A link silent this long is forgotten (its gateway session is over). */
const LINK_FORGET_MS = 3_600_000;

export class RegionObject extends DurableObject<Env> {
  private readonly opts: Options;
  private readonly store: RegionStore;
  readonly sink: MetricsSink;
  private core: RegionCore | null = null;
  private regionKey = "";
  /** Which batches of which gateway link are applied, journaled, acked: exactly once (src/link/link-ledger.ts). */
  private readonly ledger: LinkLedger;
  /** Links that were told about far drones at the last tick. */
  private farLinks = new Set<string>();
  /** Frames for links that are away, latest per key (see sendToLink). */
  private readonly held: HeldFrames<Uint8Array | string>;
  private readonly evicted: string[] = [];
  private nextTickMs = 0;
  /** When the scheduled alarm fires (Infinity when none): kept here so no message reads storage. */
  private alarmAtMs = Infinity;
  /** When alerts are written to the audit table (src/region/alert-audit.ts). */
  private readonly audit: AlertAudit;
  /** Operators watching live, and the drones' recent tracks (src/region/ops-stream.ts). */
  private readonly ops: OpsStream;
  private lastPruneMs = 0;
  private lastReportMs = 0;
  /** Counted here rather than in the core: they never reach it. */
  readonly stats = { batches: 0, duplicateBatches: 0, badBatches: 0, points: 0, badOutputs: 0, journalReplayed: 0 };

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.opts = loadOptions(env);
    this.store = new RegionStore(ctx.storage.sql);
    this.audit = new AlertAudit(this.store);
    this.ops = new OpsStream(ctx, this.opts);
    this.sink = new AnalyticsEngineSink(env.METRICS);
    this.held = new HeldFrames(this.opts.lookaheadS * 1000);
    this.ledger = new LinkLedger(this.opts.ackEveryBatches, this.opts.ackEveryMs, 2 * this.opts.replayMaxMs);
    // Reload state before any message is handled, so a restart never runs on an empty table.
    ctx.blockConcurrencyWhile(async () => {
      const key = ctx.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'region'").toArray()[0]?.value;
      if (key) this.initCore(key);
    });
  }

  private initCore(regionKey: string): RegionCore {
    if (this.core) return this.core;
    this.regionKey = regionKey;
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('region', ?)", regionKey);
    const epoch = this.store.nextEpoch();
    this.core = new RegionCore(regionKey, this.opts, `${regionKey}.${epoch.toString(36)}`);
    const now = Date.now();
    this.core.restore(this.store.loadDrones(), now);
    // Alerts sent in the last minute that were never cleared go on under their ids.
    this.core.restoreAlerts(this.store.openAlerts(now - RESTORE_ALERTS_MS), now);
    for (const [link, seq] of this.store.loadLinkSeqs()) this.ledger.restore(link, seq, now);
    // Batches acked after the last checkpoint are in the journal: apply them again, in order.
    for (const j of this.store.loadJournal()) {
      try {
        if (this.applyBatch(j.linkId, j.bytes, now, false)) this.stats.journalReplayed++;
      } catch (e) {
        // A row this version cannot read must not keep the region from starting; the gateway's
        // replay and the drones' next reports refill what it held.
        log("journal row skipped", { region: regionKey, linkId: j.linkId, seq: j.seq, error: String(e) }, "error");
      }
    }
    return this.core;
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const region = url.searchParams.get("region") ?? "";
    if (!/^[0-9b-hjkmnp-z]{1,12}$/.test(region)) return new Response("region parameter required", { status: 400 });
    if (this.regionKey && region !== this.regionKey) return new Response("wrong region for this object", { status: 409 });
    const core = this.initCore(region);

    if (url.pathname === "/link") {
      const link = acceptLink(this.ctx, request, (id) => this.ledger.floor(id));
      if (link.ok) {
        for (const frame of this.held.take(link.linkId, Date.now())) safeSend(link.server, frame);
        this.alarmBy(this.nextTickMs || Date.now() + TICK_MS);
      }
      return link.response;
    }

    const opsReply = this.ops.fetch(request, url, core, Date.now());
    if (opsReply) return opsReply;
    const source = {
      region,
      core,
      store: this.store,
      links: this.ctx.getWebSockets().length - this.ops.watchers(),
      stats: this.stats,
      flushAudit: () => this.audit.flush(),
    };
    return opsResponse(url.pathname, url.searchParams, source, Date.now());
  }

  override webSocketMessage(ws: WebSocket, message: ArrayBuffer | string): void {
    if (OpsStream.isWatcher(ws)) return; // watchers only listen
    if (typeof message === "string") return; // links send only binary batches
    const linkId = linkIdOf(ws);
    if (!this.core || !linkId) {
      ws.close(CloseCode.INTERNAL, "region not initialised");
      return;
    }
    const bytes = new Uint8Array(message);
    let applied: boolean;
    try {
      applied = this.applyBatch(linkId, bytes, Date.now(), true);
    } catch (e) {
      if (!(e instanceof BatchFormatError)) throw e;
      this.stats.badBatches++;
      log("bad batch", { region: this.regionKey, linkId, error: e.message }, "error");
      ws.close(CloseCode.PROTOCOL, "bad batch");
      return;
    }
    // A replay of a batch already applied (the gateway reconnected before our ack reached it).
    if (!applied) this.stats.duplicateBatches++;
  }

  /**
   * Applies one batch of a link exactly once; false when it was applied before. `live` batches come
   * from a socket (counted, routed, journaled); the others are journal replays after a restart.
   */
  private applyBatch(linkId: string, bytes: Uint8Array, now: number, live: boolean): boolean {
    const core = this.core!;
    const batch = decodeBatch(bytes);
    if (!this.ledger.isNew(linkId, batch.seq)) return false;
    core.applyPoints(linkId, batch.points, batch.ghost, batch.counters, now);
    // Recorded once applied: a batch that failed half-way is neither recorded nor acked.
    const next = this.ledger.applied(linkId, batch.seq, live ? bytes : null, now);
    this.route(core.drain(), batch.traceparent);
    if (!live) return true;
    this.stats.batches++;
    this.stats.points += batch.points.length;
    this.alarmBy(this.nextTickMs || now + TICK_MS);
    if (next) {
      // Journal rows first: the output gate holds the ack until they are stored, so an ack means
      // "applied and durable", and a restart re-applies the journal.
      if (next.journal.length > 0) this.store.journal(next.journal);
      this.ackLink(linkId, next.ackSeq);
    }
    return true;
  }

  private ackLink(linkId: string, seq: number): void {
    for (const ws of this.ctx.getWebSockets(linkId)) safeSend(ws, encodeControl({ t: "ack", seq }));
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    // Complete the closing handshake; 1005/1006 are not codes one may send (RFC 6455 §7.4.1). The
    // link's records stay: its gateway reconnects under the same id, or they are forgotten after an hour.
    try {
      ws.close(code === 1005 || code === 1006 ? CloseCode.NORMAL : code, "closing");
    } catch {
      // already closed
    }
  }

  override async webSocketError(): Promise<void> {
    // The close handler follows; nothing to do here.
  }

  /** The one-second tick: metrics, checkpoint and acks, far verdicts, pruning. */
  override async alarm(): Promise<void> {
    const core = this.core;
    this.alarmAtMs = Infinity;
    if (!core) return;
    const now = Date.now();
    this.nextTickMs = now + TICK_MS;
    await this.tick(core, now);
    // Watchers alone do not keep an empty region ticking: they hibernate until a link brings drones.
    if (this.ctx.getWebSockets().length > this.ops.watchers() || core.memory().drones > 0) this.alarmBy(this.nextTickMs);
  }

  private async tick(core: RegionCore, now: number): Promise<void> {
    const { metrics, events } = core.tick(now);
    this.route(core.drain());
    this.ops.tick(core, metrics, events, now);
    this.held.expire(now);
    for (const e of events) {
      this.store.event(e.atMs, e.type, e.droneId);
      if (e.type === "evicted") this.evicted.push(e.droneId);
    }
    this.sink.write(metricsToDataPoints(this.regionKey, metrics));
    this.store.writeMetrics(now, metrics);
    this.audit.flush();
    this.checkpointAndAck(now);
    if (this.opts.stretchMaxMs > 0) this.sendFarVerdicts();
    if (now - this.lastPruneMs >= PRUNE_EVERY_MS) {
      this.lastPruneMs = now;
      this.store.prune(now, this.opts.metricsRetentionH * 3_600_000, this.opts.auditRetentionDays * 86_400_000);
      this.forgetIdleLinks(now);
    }
    if (now - this.lastReportMs >= DIRECTORY_REPORT_MS && metrics.active > 0) {
      this.lastReportMs = now;
      await this.reportToDirectory(metrics.active);
    }
  }

  /**
   * Writes every changed drone and the link sequences they reflect in one transaction (emptying the
   * journal, which the checkpoint now covers), then acks the links; see journalUnjournaled.
   */
  private checkpointAndAck(now: number): void {
    const { links, ackNow } = this.ledger.checkpoint(now);
    this.store.checkpoint(this.core!.dirtyDrones(), this.evicted.splice(0), links, now);
    // Each link's ack rides out with its next batch's turn: a tick acking every socket's link at once
    // would queue a burst (one message each) in front of everything else. What is still due at the
    // next tick goes then.
    for (const [linkId, seq] of ackNow) this.ackLink(linkId, seq);
  }

  /** Links without a socket and silent for an hour are gone: their gateway session ended. */
  private forgetIdleLinks(now: number): void {
    const cutoff = now - LINK_FORGET_MS;
    this.store.forgetLinksBefore(cutoff);
    const open = new Set(this.ctx.getWebSockets().flatMap((ws) => linkIdOf(ws) ?? []));
    this.ledger.forgetIdle(cutoff, open);
  }

  /**
   * Safety-aware stretch: tells each link which of its drones are provably far from every other for
   * the verdict's validity V: no other drone within R + vmax·(2(T + V) + stale + stretch), so no
   * conflict can begin while their points wait (proof in src/ingest/batcher.ts). Sent every tick,
   * also when empty, so a verdict never outlives its premise.
   */
  private sendFarVerdicts(): void {
    const o = this.opts;
    const validMs = farVerdictValidityMs(o);
    const radius = farRadiusM(o);
    const far = this.core!.farDrones(radius);
    // Only links with far drones now, or at the last tick (their verdicts must be withdrawn): an
    // empty message to every link every second would cost a fleet of sockets for nothing.
    for (const ws of this.ctx.getWebSockets()) {
      const linkId = linkIdOf(ws);
      if (!linkId) continue;
      const ids = far.get(linkId);
      if (ids || this.farLinks.has(linkId)) safeSend(ws, encodeControl({ t: "far", ids: ids ?? [], validMs }));
    }
    this.farLinks = new Set(far.keys());
  }

  /** Sends and records what the core produced; `traceparent`: the batch that caused it ("" at a tick). */
  private route(outputs: RegionOutput[], traceparent = ""): void {
    const now = Date.now();
    const started: StartedAlert[] = [];
    this.ops.noteOutputs(outputs, now);
    for (const o of outputs) {
      try {
        this.routeOne(o, now, started);
      } catch (e) {
        // One output that cannot be encoded must not take the object (and every link) down with it.
        this.stats.badOutputs++;
        log("output dropped", { region: this.regionKey, kind: o.kind, error: String(e) }, "error");
      }
    }
    // One line per turn, not per alert: under load a line per start was a large share of the
    // region's CPU. The batch's trace context ties the starts to the gateway session and flush.
    if (started.length > 0) log("alerts started", { region: this.regionKey, traceparent, alerts: started });
  }

  private routeOne(o: RegionOutput, now: number, started: StartedAlert[]): void {
    const { data, key } = outputFrame(o, this.regionKey);
    // The alert goes first and does not wait for its audit row's commit.
    this.sendToLink(o.linkId, data, key);
    if (o.kind !== "alert") return;
    const start = this.audit.record(o, now);
    if (start) started.push(start);
  }

  /**
   * Sends to a link's socket. While the link is away (its gateway is reconnecting after a restart of
   * this object, say), the latest frame per `key` (an alert of a drone, a proximity set) is held for
   * the look-ahead and delivered when the link is back: an alert must not vanish in that gap.
   */
  private sendToLink(linkId: string, data: Uint8Array | string, key: string): void {
    const sockets = this.ctx.getWebSockets(linkId);
    if (sockets.length > 0) {
      for (const ws of sockets) safeSend(ws, data);
      return;
    }
    this.held.hold(linkId, key, data, Date.now());
  }

  /**
   * Makes sure the alarm fires by `atMs`, without awaiting in the message path: an await there lets
   * the runtime hand the next batch to an interleaved handler. Storage is touched only when the
   * alarm must move earlier.
   */
  private alarmBy(atMs: number): void {
    if (this.alarmAtMs <= atMs) return;
    this.alarmAtMs = atMs;
    void this.ctx.storage.setAlarm(atMs);
  }

  private async reportToDirectory(drones: number): Promise<void> {
    try {
      const dir = this.env.DIRECTORY.get(this.env.DIRECTORY.idFromName("directory"));
      await dir.fetch(new Request("https://directory/report", { method: "POST", body: JSON.stringify({ region: this.regionKey, drones }) }));
    } catch (e) {
      log("directory report failed", { region: this.regionKey, error: String(e) }, "error");
    }
  }
}

function safeSend(ws: WebSocket, data: Uint8Array | string): void {
  try {
    ws.send(data);
  } catch {
    // The socket closed under us; its gateway will reconnect and replay.
  }
}
