/**
 * The region Durable Object: a thin shell that turns runtime events into calls on the pure RegionCore
 * (src/detect/region-core.ts), the exactly-once LinkLedger (src/link/link-ledger.ts) and the SQLite
 * RegionStore. One hibernatable WebSocket per gateway link; a one-second alarm for metrics,
 * checkpoints and acks. Each entry point names what it does and hands over.
 */
import { DurableObject } from "cloudflare:workers";
import { loadOptions, type Options } from "../config.js";
import { farRadiusM, farVerdictValidityMs } from "../detect/far-verdict.js";
import { RegionCore, type RegionOutput } from "../detect/region-core.js";
import type { Env } from "../env.js";
import { LinkLedger } from "../link/link-ledger.js";
import { log } from "../log.js";
import { CloseCode } from "../wire/close-codes.js";
import { BatchIntake } from "./batch-intake.js";
import { HubDoor } from "./hub-door.js";
import { acceptHub, hubOf } from "./hub-socket.js";
import { AlertAudit } from "./alert-audit.js";
import { writeOrRestart } from "./durable-write.js";
import { RegionExport } from "./event-export.js";
import { FaultInjection } from "./fault-injection.js";
import { Housekeeping } from "./housekeeping.js";
import { acceptLink, linkIdOf } from "./link-socket.js";
import { LinkOutbox } from "./link-outbox.js";
import { metricsToDataPoints } from "./metrics-mapping.js";
import { AnalyticsEngineSink, type MetricsSink } from "./metrics-sink.js";
import { opsResponse } from "./ops-routes.js";
import { OpsStream } from "./ops-stream.js";
import { OutputRouter } from "./output-router.js";
import { restoreRegion } from "./region-restore.js";
import { RegionStore } from "./region-store.js";
import { TickClock } from "./tick-clock.js";
import { RegionSpans } from "./region-spans.js";
import { ATTR, SCOPE } from "../tracing/span-names.js";
import { Tracing, tracingFor } from "../tracing/tracing.js";

const REGION_PARAM = /^[0-9b-hjkmnp-z]{1,12}$/;

/** What one region runs on, created once the object knows its cell. */
interface Region {
  key: string;
  core: RegionCore;
  router: OutputRouter;
  /** Event export to the EVENTS queue, when configured (src/region/event-export.ts). */
  exporter: RegionExport | null;
  /** Tracing on only (OTEL_EXPORTER_OTLP_ENDPOINT): apply, alert and tick spans. */
  spans: RegionSpans | null;
  /** Applies the links' batches, direct, bundled or journaled (src/region/batch-intake.ts). */
  intake: BatchIntake;
}

/** The isolate's tracing; an OTEL_* value that cannot be used turns it off here (the gateway refuses clients over it). */
function regionTracing(env: Env, opts: Options): Tracing {
  try {
    return tracingFor(env, opts.traceSampleRatio);
  } catch (e) {
    log("tracing off: invalid configuration", { error: String(e) }, "error");
    return Tracing.OFF;
  }
}

export class RegionObject extends DurableObject<Env> {
  private readonly opts: Options = loadOptions(this.env);
  private readonly store = new RegionStore(this.ctx.storage.sql);
  readonly sink: MetricsSink = new AnalyticsEngineSink(this.env.METRICS);
  private readonly ledger = new LinkLedger(this.opts.ackEveryBatches, this.opts.ackEveryMs, 2 * this.opts.resendMaxMs);
  private readonly outbox = new LinkOutbox(this.ctx, this.opts.lookaheadS * 1000);
  private readonly audit = new AlertAudit(this.store);
  private readonly clock = new TickClock(this.ctx.storage);
  private readonly chores = new Housekeeping(this.opts, this.store, this.ledger, this.env.DIRECTORY);
  /** Ingest hubs: whether single-drone links go through them, and what they bring (src/region/hub-door.ts). */
  private readonly hubs = new HubDoor(this.opts, this.outbox, this.ledger);
  /** Operators watching live, and the drones' recent tracks (src/region/ops-stream.ts). */
  private readonly ops = new OpsStream(this.ctx, this.opts);
  /** `npm run chaos`'s restarts and failing checkpoints (CHAOS=1 only). */
  private readonly faults = new FaultInjection(this.ctx, this.opts.chaos === 1);
  private readonly tracing = regionTracing(this.env, this.opts);
  private region: Region | null = null;
  /** Counted here rather than in the core: they never reach it. `starts`: this instance's epoch, the times the object has started. */
  readonly stats = { messages: 0, batches: 0, duplicateBatches: 0, badBatches: 0, failedBatches: 0, points: 0, journalReapplied: 0, starts: 0 };

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Reload state before any message is handled, so a restart never runs on an empty table.
    ctx.blockConcurrencyWhile(async () => {
      const key = this.store.regionKey();
      if (key) this.open(key);
    });
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const key = url.searchParams.get("region") ?? "";
    if (!REGION_PARAM.test(key)) return new Response("region parameter required", { status: 400 });
    if (this.region && key !== this.region.key) return new Response("wrong region for this object", { status: 409 });
    const fault = this.faults.fetch(url, Date.now());
    if (fault) return fault;
    const region = this.open(key);
    if (url.pathname === "/link") return this.acceptLink(request);
    if (url.pathname === "/hub") return acceptHub(this.ctx, request).response;
    if (url.pathname === "/ops/hubs") return this.hubs.pin(url.searchParams.get("hubs"));
    const opsReply = this.ops.fetch(request, url, region.core, Date.now());
    if (opsReply) return opsReply;
    const source = {
      region: key,
      core: region.core,
      store: this.store,
      links: this.linkSockets(),
      stats: this.statsNow(),
      flushAudit: () => this.audit.flush(),
    };
    return opsResponse(url.pathname, url.searchParams, source, Date.now());
  }

  override webSocketMessage(ws: WebSocket, message: ArrayBuffer | string): void {
    this.stats.messages++; // what one object's thread is limited by (docs/scaling.md)
    const hub = hubOf(ws);
    if (hub && this.region) {
      const { intake } = this.region;
      this.hubs.message(ws, hub, message, (w, h, bundle) => intake.bundle(w, h, bundle), this.region.key);
      return;
    }
    if (typeof message === "string" || OpsStream.isWatcher(ws)) return; // links send only binary batches; watchers only listen
    const linkId = linkIdOf(ws);
    if (!this.region || !linkId) {
      ws.close(CloseCode.INTERNAL, "region not initialised");
      return;
    }
    this.region.intake.direct(ws, linkId, new Uint8Array(message));
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    const hub = hubOf(ws);
    if (hub) this.outbox.hubClosed(hub);
    // Complete the closing handshake (1005/1006 only report a missing code: RFC 6455 §7.4.1). The
    // link's records stay: its gateway reconnects under the same id, or they are forgotten later.
    try {
      ws.close(code === 1005 || code === 1006 ? CloseCode.NORMAL : code, "closing");
    } catch {
      // already closed
    }
  }

  /** The one-second tick: metrics, checkpoint and acks, far verdicts, chores. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    this.clock.fired(now);
    if (!this.region) return;
    await this.tick(this.region, now);
    if (this.linkSockets() > 0 || this.region.core.space.memory().drones > 0) this.clock.rearm();
  }

  /** The region for `key`, restored from storage the first time (src/region/region-restore.ts). */
  private open(key: string): Region {
    if (this.region) return this.region;
    this.store.setRegionKey(key);
    this.stats.starts = this.store.nextEpoch();
    const core = new RegionCore(key, this.opts, `${key}.${this.stats.starts.toString(36)}`);
    const exporter = RegionExport.create(this.ctx, this.env, key, (id) => core.space.positionOf(id));
    // The router calls this once a turn's frames are out: neither the feed nor the export delays an alert.
    const observe = (o: readonly RegionOutput[], t: number) => {
      this.hubs.outputs(o, t);
      this.ops.noteOutputs(o, t);
      exporter?.noteOutputs(o, t);
    };
    const tracer = this.tracing.tracer(SCOPE.region);
    const spans = tracer ? new RegionSpans(tracer, key) : null;
    const router = new OutputRouter(key, this.outbox, this.audit, observe);
    router.spans = spans;
    const deps = { ctx: this.ctx, store: this.store, ledger: this.ledger, outbox: this.outbox, hubs: this.hubs, clock: this.clock, stats: this.stats };
    const intake = new BatchIntake(deps, { key, core, router, spans });
    this.region = { key, core, router, exporter, spans, intake };
    const now = Date.now();
    this.stats.journalReapplied += restoreRegion(core, this.store, this.ledger, this.opts.evictAfterMs, now, (j) => intake.replay(j.linkId, j.bytes, now));
    return this.region;
  }

  private acceptLink(request: Request): Response {
    const link = acceptLink(this.ctx, request, (id) => this.ledger.floor(id));
    if (link.ok) {
      this.outbox.opened(link.linkId, link.server, Date.now());
      this.clock.ensure(Date.now());
    }
    return link.response;
  }

  private async tick({ key, core, router, exporter, spans }: Region, now: number): Promise<void> {
    const span = spans?.tick() ?? null;
    const { metrics, events } = core.tick(now);
    const outputs = core.drain();
    router.route(outputs, "", now, span);
    this.ops.tick(core, metrics, events, now);
    exporter?.noteEvents(events);
    this.outbox.expire(now);
    this.outbox.shed(this.opts.loadShedding === 1 ? metrics.shedLevel : 0);
    this.sink.write(metricsToDataPoints(key, metrics));
    // The ledger counts on this checkpoint from here: acks due ride out with each link's next batch.
    const { links, ackNow } = this.ledger.checkpoint(now);
    // The second's rows, every changed drone, evicted ones deleted (ghosts too), the link sequences
    // they reflect, and the journal emptied (the checkpoint now covers it).
    writeOrRestart(this.ctx, "checkpoint", key, () => {
      this.faults.checkpointing(now);
      // A brief drone's eviction (an invented id's, typically) takes its stored events with it.
      for (const e of events) {
        if (e.brief === true) this.store.events.forget(e.droneId);
        else this.store.events.add(e.atMs, e.type, e.droneId);
      }
      this.store.writeMetrics(now, metrics);
      this.audit.flush();
      this.store.checkpoint(core.space.takeDirty(), core.evictedDrones(), links, now);
    });
    this.outbox.acks(ackNow);
    if (span !== null)
      spans!.finish(span, outputs, {
        [ATTR.drones]: metrics.active,
        [ATTR.links]: this.linkSockets(),
        [ATTR.events]: events.length,
        [ATTR.spansDropped]: this.tracing.counters().traceSpansDropped,
      });
    // Spans leave off the alert path: at most every TRACE_FLUSH_MS, from the tick, not awaited.
    const flush = this.tracing.flushDue(now);
    if (flush) this.ctx.waitUntil(flush);
    this.hubs.tick(now);
    if (this.opts.stretchMaxMs > 0) this.outbox.far(core.space.farDrones(farRadiusM(this.opts)), farVerdictValidityMs(this.opts));
    const report = {
      drones: metrics.active,
      // Applied here this second: the gateways' accepted counts ride on later batches, so a first report would read 0.
      pointsPerS: metrics.windowMs > 0 ? Math.round((metrics.applied * 1000) / metrics.windowMs) : 0,
      conflicts: metrics.conflictsCaution + metrics.conflictsWarning,
    };
    await this.chores.run(key, now, () => this.outbox.openLinks(), report);
  }

  /** Gateway links with a socket now (watchers do not keep a region awake). */
  private linkSockets(): number {
    return this.outbox.sockets - this.ops.watchers();
  }

  private statsNow(): Record<string, number | number[]> {
    return {
      ...this.stats,
      badOutputs: this.region?.router.badOutputs ?? 0,
      eventsCapped: this.store.events.capped,
      badBundles: this.hubs.badBundles,
      hubs: this.hubs.hubs,
      ...this.region?.exporter?.stats(),
      ...this.region?.core.metrics.alertLatencyStats(),
      ...this.tracing.counters(),
    };
  }
}
