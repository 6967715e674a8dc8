/**
 * One drone or relay socket's pipeline: decode → validate → rate limit → near-duplicate filter →
 * route (home region + halo ghosts) → micro-batch → upstream links. Everything here belongs to the
 * request that upgraded the socket; nothing touches another connection's sockets (docs/platform.md).
 */
import type { Options } from "../config.js";
import type { Env } from "../env.js";
import { ErrorCode, type Point } from "../gen/airspace/v1/airspace_pb.js";
import { Batcher, type FlushedBatch } from "../ingest/batcher.js";
import { COUNTER_INDEX, type CounterName } from "../wire/counters.js";
import { PendingCounters } from "../ingest/pending-counters.js";
import { framePoints } from "../wire/frame-points.js";
import { StreamDecoder, streamMaxDrones } from "../wire/telemetry-stream.js";
import { DedupeFilter } from "../ingest/dedupe.js";
import { decodeClientFrame } from "../wire/frames.js";
import { ConnectionLimiter } from "../ingest/rate-limiter.js";
import { haloRegions, regionOf } from "../geo/regions.js";
import { errorFrame, pongFrame, rateLimitFrame, welcomeFrame } from "../wire/server-frames.js";
import { newTraceId } from "../link/trace.js";
import type { TelemetryPoint } from "../wire/point.js";
import { validatePoint } from "../ingest/validate.js";
import type { Principal } from "./auth.js";
import { UpstreamLink, type LinkHost } from "./upstream.js";
import { CloseCode } from "../wire/close-codes.js";

/**
 * Counter deltas normally ride on the next batch to their region (a drone that keeps sending forwards a
 * point at least every second, by the dedupe refresh rule). Only counts left waiting this long, e.g.
 * of a session whose points are all rejected, get a counters-only batch of their own.
 */
const COUNTERS_FLUSH_MS = 2000;

export class DroneSession implements LinkHost {
  readonly sessionId = crypto.randomUUID();
  private readonly traceId = newTraceId();
  private readonly ownDroneId: string | null;
  private readonly limiter: ConnectionLimiter;
  private readonly dedupe: DedupeFilter;
  private readonly batcher: Batcher;
  private readonly links = new Map<string, UpstreamLink>();
  /** Counter deltas per region not yet sent with a batch, and where each drone flies. */
  private readonly counters: PendingCounters;
  private readonly badFrameTimes: number[] = [];
  private readonly halo: string[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAt = Infinity;
  private closed = false;
  /** While a telemetry frame is processed: its flushed batches, merged per region (see flush). */
  private frameBatches: Map<string, FlushedBatch> | null = null;
  /** The TelemetryStream table size this session announces and decodes with. */
  private readonly streamTable: number;
  /** The TelemetryStream state of this connection, made by its first stream frame. */
  private stream: StreamDecoder | null = null;
  /** Drones a relay carries, as its connection limits were last scaled to. */
  private dronesCarried = 1;
  readonly totals = {
    frames: 0,
    pointsReceived: 0,
    pointsAccepted: 0,
    pointsRejected: 0,
    pointsRateLimited: 0,
    pointsDeduped: 0,
    alertsDelivered: 0,
    pointsLost: 0,
  };

  constructor(
    private readonly ws: WebSocket,
    private readonly principal: Principal,
    private readonly opts: Options,
    private readonly env: Env,
    private readonly waitUntil: (p: Promise<unknown>) => void = () => {},
  ) {
    this.ownDroneId = principal.role === "drone" ? principal.sub : null;
    this.streamTable = streamMaxDrones(principal.role, opts.relayMaxDrones);
    const now = Date.now();
    this.limiter = new ConnectionLimiter(opts, now, 1);
    this.dedupe = new DedupeFilter(opts);
    this.batcher = new Batcher(opts);
    // Twice the drones a relay may carry: room for churn, bounded against invented ids.
    this.counters = new PendingCounters(2 * opts.relayMaxDrones);
  }

  start(): void {
    const ws = this.ws;
    ws.accept();
    ws.binaryType = "arraybuffer";
    ws.addEventListener("message", (ev) => this.onMessage(ev.data));
    ws.addEventListener("close", () => this.shutdown());
    ws.addEventListener("error", () => this.shutdown());
    const o = this.opts;
    this.sendToClient(
      welcomeFrame({
        sessionId: this.sessionId,
        role: this.principal.role,
        droneId: this.ownDroneId ?? "",
        maxFrameBytes: o.maxFrameBytes,
        maxPointsPerFrame: o.maxPointsPerFrame,
        pointsPerSecond: o.droneRate,
        burstPoints: o.droneBurst,
        batchWindowMs: o.batchWindowMs,
        conflictRadiusM: o.conflictRadiusM,
        conflictHeightM: o.conflictHeightM,
        lookaheadS: o.lookaheadS,
        serverTimeMs: BigInt(Date.now()),
        streamMaxDrones: this.streamTable,
      }),
    );
  }

  // ---- LinkHost: what the region links tell us ----

  forward(frame: Uint8Array): void {
    this.totals.alertsDelivered++;
    this.sendToClient(frame);
  }

  near(regionKey: string, ids: string[]): void {
    // Points of these drones already waiting go out now, not at the end of the window.
    const now = Date.now();
    const b = this.batcher.setUrgent(regionKey, ids);
    if (b) this.flush(b, now);
  }

  far(regionKey: string, ids: string[], validMs: number): void {
    const now = Date.now();
    const b = this.batcher.setFar(regionKey, ids, now + validMs);
    if (b) this.flush(b, now);
  }

  replayed(regionKey: string, points: number): void {
    this.count(regionKey, "replayed", points);
  }

  lost(regionKey: string, points: number): void {
    this.totals.pointsLost += points;
    this.count(regionKey, "droppedOverflow", points);
    this.sendToClient(errorFrame(ErrorCode.DATA_LOSS, `${points} point(s) for region ${regionKey} could not be delivered and were dropped`, "", points));
  }

  // ---- the pipeline ----

  private onMessage(data: unknown): void {
    if (this.closed) return;
    const now = Date.now();
    this.totals.frames++;
    if (typeof data === "string") {
      this.badFrame(now, ErrorCode.BAD_FRAME, "text frames are not accepted: send binary protobuf frames");
      return;
    }
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : (data as Uint8Array);
    const res = decodeClientFrame(bytes, this.opts.maxFrameBytes);
    if (!res.ok) {
      if (res.close) {
        this.sendToClient(errorFrame(res.code, res.message));
        this.closeClient(res.close, "frame too large");
        return;
      }
      this.badFrame(now, res.code, res.message);
      return;
    }
    const frame = res.frame;
    if (frame.kind.case === "ping") {
      this.sendToClient(pongFrame(frame.kind.value.nonce, this.countersMessage()));
      return;
    }
    const fp = framePoints(frame, this.opts.maxPointsPerFrame, () => (this.stream ??= new StreamDecoder(this.streamTable)));
    if (!fp.ok) {
      if (!fp.fatal) {
        this.badFrame(now, fp.code, fp.message);
        return;
      }
      this.sendToClient(errorFrame(fp.code, fp.message));
      this.closeClient(CloseCode.STREAM_LOST, "stream state lost");
      return;
    }
    const { points, baseTimeMs } = fp;
    const verdict = this.limiter.admitFrame(bytes.length, points.length, now);
    if (verdict.kind === "close") {
      this.abuse(verdict.reason);
      return;
    }
    if (verdict.kind === "limited") {
      this.totals.pointsReceived += points.length;
      this.totals.pointsRateLimited += points.length;
      for (const p of points) {
        const id = p.droneId || this.ownDroneId || "";
        this.countForDrone(id, "received", 1);
        this.countForDrone(id, "rateLimited", 1);
      }
    } else {
      // Points of one frame arrived together: batches the frame makes flush (urgent drones, full
      // batches) leave as one message per region once the whole frame is processed, not one each.
      this.frameBatches = new Map();
      if (points.length > 0) this.batcher.arrival(now);
      try {
        this.acceptPoints(points, baseTimeMs, now);
      } finally {
        this.sendFrameBatches(now);
      }
    }
    const notice = this.limiter.takeNotice(now);
    if (notice) this.sendToClient(rateLimitFrame(this.ownDroneId ?? "", notice.dropped, notice.retryAfterMs));
    if (this.principal.role === "relay" && this.limiter.trackedDrones !== this.dronesCarried) {
      this.dronesCarried = this.limiter.trackedDrones;
      this.limiter.setDronesCarried(this.dronesCarried, now);
    }
    this.flushDue(now);
  }

  private acceptPoints(points: Point[], baseTimeMs: number, now: number): void {
    const ctx = {
      ownDroneId: this.ownDroneId,
      maxSpeedMps: this.opts.maxSpeedMps,
      maxFutureMs: this.opts.maxFutureMs,
      maxAgeMs: this.opts.maxAgeMs,
      nowMs: now,
    };
    let invalid = 0;
    let wrongDrone = 0;
    let firstProblem = "";
    let problemDrone = "";
    for (const wire of points) {
      this.totals.pointsReceived++;
      const v = validatePoint(wire, baseTimeMs, ctx);
      if (!v.ok) {
        this.totals.pointsRejected++;
        this.countForDrone(v.droneId, "received", 1);
        this.countForDrone(v.droneId, "rejected", 1);
        if (v.reason === "wrong_drone") {
          wrongDrone++;
          this.countForDrone(v.droneId, "wrongDrone", 1);
        } else invalid++;
        if (!firstProblem) {
          firstProblem = v.message;
          problemDrone = v.droneId;
        }
        continue;
      }
      const p = v.point;
      const home = regionOf(p.lat, p.lon, this.opts.regionPrecision);
      this.counters.routed(p.droneId, home);
      this.count(home, "received", 1);
      const lv = this.limiter.admitPoint(p.droneId, now);
      if (lv.kind === "close") {
        this.abuse(lv.reason);
        return;
      }
      if (lv.kind === "limited") {
        this.totals.pointsRateLimited++;
        this.count(home, "rateLimited", 1);
        continue;
      }
      const dup = this.dedupe.check(p, now);
      if (dup !== null) {
        this.totals.pointsDeduped++;
        this.count(home, dup === "near" ? "dedupedNear" : dup === "repeat" ? "dedupedRepeat" : "dedupedStale", 1);
        continue;
      }
      this.totals.pointsAccepted++;
      this.count(home, "accepted", 1);
      // Every forwarded point goes to the batcher at once, a hovering drone's 1 s refresh too: it is
      // what keeps that drone usable in its region (older than the stale limit, a state is ignored).
      this.enqueue(home, p, 0, now);
      for (const g of haloRegions(p.lat, p.lon, this.opts.regionPrecision, this.opts.haloM, this.halo)) {
        this.count(g, "ghostsSent", 1);
        this.enqueue(g, p, 1, now);
      }
    }
    if (wrongDrone > 0)
      this.sendToClient(
        errorFrame(ErrorCode.WRONG_DRONE, `${wrongDrone} point(s) dropped: this token may only send drone ${this.ownDroneId}`, problemDrone, wrongDrone),
      );
    if (invalid > 0) this.sendToClient(errorFrame(ErrorCode.INVALID_POINT, `${invalid} point(s) rejected; first: ${firstProblem}`, problemDrone, invalid));
  }

  private enqueue(regionKey: string, p: TelemetryPoint, ghost: 0 | 1, now: number): void {
    for (const b of this.batcher.add(regionKey, p, ghost === 1, now)) this.flush(b, now);
  }

  private flushDue(now: number): void {
    for (const b of this.batcher.due(now)) this.flush(b, now);
    for (const region of this.counters.overdue(now, COUNTERS_FLUSH_MS)) this.flush({ regionKey: region, points: [], ghost: new Uint8Array(0) }, now);
    this.schedule(now);
  }

  /** Sends a flushed batch, or, while a frame is being processed, merges it into that frame's batch for its region (up to the size cap). */
  private flush(b: FlushedBatch, now: number): void {
    const frame = this.frameBatches;
    if (!frame) {
      this.sendBatch(b, now);
      return;
    }
    const prev = frame.get(b.regionKey);
    if (!prev) {
      frame.set(b.regionKey, b);
    } else if (prev.points.length + b.points.length <= this.opts.batchMaxPoints) {
      const ghost = new Uint8Array(prev.points.length + b.points.length);
      ghost.set(prev.ghost);
      ghost.set(b.ghost, prev.points.length);
      frame.set(b.regionKey, { regionKey: b.regionKey, points: prev.points.concat(b.points), ghost });
    } else {
      this.sendBatch(prev, now);
      frame.set(b.regionKey, b);
    }
  }

  private sendFrameBatches(now: number): void {
    const out = this.frameBatches;
    this.frameBatches = null;
    if (out) for (const b of out.values()) this.sendBatch(b, now);
  }

  private sendBatch(b: FlushedBatch, now: number): void {
    if (this.closed) return;
    let link = this.links.get(b.regionKey);
    if (!link) {
      link = new UpstreamLink(b.regionKey, `${this.sessionId}.${b.regionKey}`, this.env, this.opts, this, this.traceId);
      this.links.set(b.regionKey, link);
      link.start();
    }
    const counters = this.counters.take(b.regionKey);
    counters[COUNTER_INDEX.batched]! += b.points.length;
    link.send(b.points, b.ghost, counters, now);
  }

  /** One timer per session, for the earliest batch deadline (and the counters-only flush). */
  private schedule(now: number): void {
    let at = this.batcher.nextDeadline();
    at = Math.min(at, this.counters.nextDueMs(COUNTERS_FLUSH_MS));
    if (!Number.isFinite(at) || (this.timer && at >= this.timerAt)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.timerAt = Infinity;
        if (!this.closed) this.flushDue(Date.now());
      },
      Math.max(0, at - now),
    );
  }

  private count(regionKey: string, name: CounterName, n: number): void {
    this.counters.count(regionKey, name, n, Date.now());
  }

  /** Counts against the drone's last known region (a rejected point's own position is not trusted). */
  private countForDrone(droneId: string, name: CounterName, n: number): void {
    this.counters.countForDrone(droneId, name, n, Date.now(), this.links.keys().next().value);
  }

  private badFrame(now: number, code: ErrorCode, message: string): void {
    this.sendToClient(errorFrame(code, message));
    const times = this.badFrameTimes;
    times.push(now);
    while (times.length > 0 && times[0]! <= now - this.opts.badFrameWindowMs) times.shift();
    if (times.length > this.opts.badFrameLimit) {
      this.sendToClient(errorFrame(ErrorCode.POLICY, `more than ${this.opts.badFrameLimit} bad frames in ${this.opts.badFrameWindowMs / 1000} s`));
      this.closeClient(CloseCode.POLICY, "too many bad frames");
    }
  }

  private abuse(reason: string): void {
    this.sendToClient(errorFrame(ErrorCode.POLICY, reason));
    this.closeClient(CloseCode.POLICY, "rate limit abuse");
  }

  private countersMessage() {
    const t = this.totals;
    return {
      frames: BigInt(t.frames),
      pointsReceived: BigInt(t.pointsReceived),
      pointsAccepted: BigInt(t.pointsAccepted),
      pointsRejected: BigInt(t.pointsRejected),
      pointsRateLimited: BigInt(t.pointsRateLimited),
      pointsDeduped: BigInt(t.pointsDeduped),
      alertsDelivered: BigInt(t.alertsDelivered),
      pointsLost: BigInt(t.pointsLost),
    };
  }

  private sendToClient(frame: Uint8Array): void {
    if (this.closed) return;
    try {
      this.ws.send(frame);
    } catch {
      this.shutdown();
    }
  }

  private closeClient(code: number, reason: string): void {
    try {
      this.ws.close(code, reason);
    } catch {
      // already closing
    }
    this.shutdown();
  }

  /**
   * The client is gone. Points already accepted are flushed first so none is lost with the socket;
   * the links stay up until their batches are acknowledged (bounded by the replay window).
   */
  private shutdown(): void {
    if (this.closed) return;
    const now = Date.now();
    this.sendFrameBatches(now); // closed in the middle of a frame (abuse): what it accepted still goes
    for (const b of this.batcher.drain()) this.flush(b, now);
    for (const region of this.counters.regions()) this.flush({ regionKey: region, points: [], ghost: new Uint8Array(0) }, now);
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const deadline = now + this.opts.replayMaxMs;
    // The runtime may end this request once the client socket is gone: keep it alive until the
    // regions have acknowledged everything (or the replay window is over).
    this.waitUntil(
      new Promise<void>((resolve) => {
        const closeWhenAcked = () => {
          for (const [key, link] of this.links) {
            if (link.unacked === 0 || Date.now() >= deadline) {
              link.close();
              this.links.delete(key);
            }
          }
          if (this.links.size > 0) setTimeout(closeWhenAcked, 250);
          else resolve();
        };
        closeWhenAcked();
      }),
    );
  }
}
