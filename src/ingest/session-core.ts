/**
 * One drone or relay socket's pipeline, pure: bytes in → frames for the client, batches per region
 * (with their counter deltas), and a close when the client must go. Decode → validate → rate limit →
 * near-duplicate filter → route (home region + halo ghosts) → micro-batch. The gateway's DroneSession
 * only wires a socket, its upstream links and one timer to it (src/gateway/session.ts), so every rule
 * here, exactly-once accounting included, is tested in Node.
 */
import type { Options } from "../config.js";
import { ErrorCode, type Point } from "../gen/airspace/v1/airspace_pb.js";
import { haloRegions, regionOf } from "../geo/regions.js";
import { CloseCode } from "../wire/close-codes.js";
import { COUNTER_INDEX, type CounterName } from "../wire/counters.js";
import { framePoints } from "../wire/frame-points.js";
import { decodeClientFrame } from "../wire/frames.js";
import type { TelemetryPoint } from "../wire/point.js";
import { errorFrame, pongFrame, rateLimitFrame } from "../wire/server-frames.js";
import { StreamDecoder, streamMaxDrones } from "../wire/telemetry-stream.js";
import { BadFrameWindow } from "./bad-frames.js";
import { FrameRejections } from "./rejections.js";
import { emptyOutput, type SessionOutput, type SessionPrincipal } from "./session-output.js";
import { Batcher, type FlushedBatch } from "./batcher.js";
import { sessionWelcome } from "./welcome.js";
import { FrameBatches } from "./frame-batches.js";
import { SessionTotals } from "./session-totals.js";
import { DedupeFilter } from "./dedupe.js";
import { PendingCounters } from "./pending-counters.js";
import { ConnectionLimiter } from "./rate-limiter.js";
import { validatePoint } from "./validate.js";
import { COUNTERS_FLUSH_MS } from "../tunables.js";

export type { SessionBatch, SessionOutput, SessionPrincipal } from "./session-output.js";

export class SessionCore {
  readonly ownDroneId: string | null;
  /** The TelemetryStream table size this session announces and decodes with. */
  readonly streamTable: number;
  readonly totals = new SessionTotals();
  private readonly limiter: ConnectionLimiter;
  private readonly dedupe: DedupeFilter;
  private readonly batcher: Batcher;
  /** Counter deltas per region not yet sent with a batch, and where each drone flies. */
  private readonly counters: PendingCounters;
  private readonly badFrames: BadFrameWindow;
  private readonly halo: string[] = [];
  /** The TelemetryStream state of this connection, made by its first stream frame. */
  private stream: StreamDecoder | null = null;
  /** Drones a relay carries, as its connection limits were last scaled to. */
  private dronesCarried = 1;
  /** A frame's flushed batches, merged per region until the frame is handled. */
  private readonly frameBatches: FrameBatches;
  /** The first region this session sent to: where counts of drones never routed anywhere go. */
  private firstRegion: string | undefined;
  private closed = false;
  private out: SessionOutput = emptyOutput();

  constructor(
    private readonly principal: SessionPrincipal,
    private readonly opts: Options,
    nowMs: number,
  ) {
    this.ownDroneId = principal.role === "drone" ? principal.sub : null;
    this.streamTable = streamMaxDrones(principal.role, opts.relayMaxDrones);
    this.limiter = new ConnectionLimiter(opts, nowMs, 1);
    this.dedupe = new DedupeFilter(opts);
    this.badFrames = new BadFrameWindow(opts.badFrameLimit, opts.badFrameWindowMs);
    this.batcher = new Batcher(opts);
    this.frameBatches = new FrameBatches(opts.batchMaxPoints, (b) => this.send(b));
    // Twice the drones a relay may carry: room for churn, bounded against invented ids.
    this.counters = new PendingCounters(2 * opts.relayMaxDrones);
  }

  /** The first frame of the session: its id and the limits in force. */
  welcome(sessionId: string, nowMs: number): Uint8Array {
    return sessionWelcome(this.opts, this.principal.role, this.ownDroneId ?? "", this.streamTable, sessionId, nowMs);
  }

  /** One client message (binary frame, or a text frame, which is refused). */
  onFrame(data: ArrayBuffer | Uint8Array | string, nowMs: number): SessionOutput {
    if (this.closed) return this.take();
    this.totals.frames++;
    if (typeof data === "string") {
      this.badFrame(nowMs, ErrorCode.BAD_FRAME, "text frames are not accepted: send binary protobuf frames");
      return this.take();
    }
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    const res = decodeClientFrame(bytes, this.opts.maxFrameBytes, this.opts.maxPointsPerFrame);
    if (!res.ok) {
      if (res.close) {
        this.toClient(errorFrame(res.code, res.message));
        this.closeWith(res.close, res.close === CloseCode.TOO_BIG ? "frame too large" : "stream state lost");
      } else this.badFrame(nowMs, res.code, res.message);
      return this.take();
    }
    const frame = res.frame;
    if (frame.kind.case === "ping") {
      this.toClient(pongFrame(frame.kind.value.nonce, this.totals.message()));
      return this.take();
    }
    const fp = framePoints(frame, this.opts.maxPointsPerFrame, () => {
      this.stream ??= new StreamDecoder(this.streamTable);
      return this.stream;
    });
    if (!fp.ok) {
      if (!fp.fatal) this.badFrame(nowMs, fp.code, fp.message);
      else {
        this.toClient(errorFrame(fp.code, fp.message));
        this.closeWith(CloseCode.STREAM_LOST, "stream state lost");
      }
      return this.take();
    }
    const { points, baseTimeMs } = fp;
    const verdict = this.limiter.admitFrame(bytes.length, points.length, nowMs);
    if (verdict.status === "closed") {
      this.abuse(verdict.reason);
      return this.take();
    }
    if (verdict.status === "limited") {
      this.totals.pointsReceived += points.length;
      this.totals.pointsRateLimited += points.length;
      for (const p of points) {
        const id = p.droneId || this.ownDroneId || "";
        this.countForDrone(id, "received", 1, nowMs);
        this.countForDrone(id, "rateLimited", 1, nowMs);
      }
    } else {
      this.frameBatches.begin();
      if (points.length > 0) this.batcher.arrival(nowMs);
      this.acceptPoints(points, baseTimeMs, nowMs);
      this.frameBatches.end();
      if (this.closed) return this.take();
    }
    const notice = this.limiter.takeNotice(nowMs);
    if (notice) this.toClient(rateLimitFrame(this.ownDroneId ?? "", notice.dropped, notice.retryAfterMs));
    if (this.principal.role === "relay" && this.limiter.trackedDrones !== this.dronesCarried) {
      this.dronesCarried = this.limiter.trackedDrones;
      this.limiter.setDronesCarried(this.dronesCarried, nowMs);
    }
    return this.onTimer(nowMs);
  }

  /** A region names its drones in proximity of another: their waiting points leave now, not at the end of the window. */
  onProximity(regionKey: string, ids: string[]): SessionOutput {
    const b = this.batcher.setProximity(regionKey, ids);
    if (b) this.frameBatches.add(b);
    return this.take();
  }

  /** A region names its provably far drones, valid for `validMs` (the safety-aware stretch). */
  onFar(regionKey: string, ids: string[], validMs: number, nowMs: number): SessionOutput {
    const b = this.batcher.setFar(regionKey, ids, nowMs + validMs);
    if (b) this.frameBatches.add(b);
    return this.take();
  }

  /** A link re-sent `points` after reconnecting (the region drops what it had applied). */
  onResent(regionKey: string, points: number, nowMs: number): void {
    this.counters.count(regionKey, "resent", points, nowMs);
  }

  /** A link gave up `points` (its resend buffer overflowed while the region was away): counted and told. */
  onLost(regionKey: string, points: number, nowMs: number): SessionOutput {
    this.totals.pointsLost += points;
    this.counters.count(regionKey, "droppedOverflow", points, nowMs);
    this.toClient(errorFrame(ErrorCode.DATA_LOSS, `${points} point(s) for region ${regionKey} could not be delivered and were dropped`, "", points));
    return this.take();
  }

  /** A region's frame (an alert or advisory) went to the client. */
  onForwarded(): void {
    this.totals.alertsDelivered++;
  }

  /** Batches whose window has closed, and counters that waited too long for a batch. */
  onTimer(nowMs: number): SessionOutput {
    for (const b of this.batcher.due(nowMs)) this.frameBatches.add(b);
    for (const region of this.counters.overdue(nowMs, COUNTERS_FLUSH_MS)) this.frameBatches.add({ regionKey: region, points: [], ghost: new Uint8Array(0) });
    return this.take();
  }

  /** When onTimer next has something to do (Infinity: nothing waits). */
  nextDeadline(): number {
    return Math.min(this.batcher.nextDeadline(), this.counters.nextDueMs(COUNTERS_FLUSH_MS));
  }

  /** The client is gone: everything accepted and every pending count leaves now, and nothing more is taken. */
  drain(): SessionOutput {
    this.frameBatches.end();
    for (const b of this.batcher.drain()) this.frameBatches.add(b);
    for (const region of this.counters.regions()) this.frameBatches.add({ regionKey: region, points: [], ghost: new Uint8Array(0) });
    this.closed = true;
    return this.take();
  }

  private acceptPoints(points: Point[], baseTimeMs: number, nowMs: number): void {
    const ctx = { ownDroneId: this.ownDroneId, maxSpeedMps: this.opts.maxSpeedMps, maxFutureMs: this.opts.maxFutureMs, maxAgeMs: this.opts.maxAgeMs, nowMs };
    const rejections = new FrameRejections();
    for (const wire of points) {
      this.totals.pointsReceived++;
      const v = validatePoint(wire, baseTimeMs, ctx);
      if (v.status === "rejected") {
        this.totals.pointsRejected++;
        this.countForDrone(v.droneId, "received", 1, nowMs);
        this.countForDrone(v.droneId, "rejected", 1, nowMs);
        if (v.reason === "wrong_drone") this.countForDrone(v.droneId, "wrongDrone", 1, nowMs);
        rejections.add(v);
        continue;
      }
      const p = v.point;
      const home = regionOf(p.lat, p.lon, this.opts.regionPrecision);
      this.counters.routed(p.droneId, home);
      this.counters.count(home, "received", 1, nowMs);
      const lv = this.limiter.admitPoint(p.droneId, nowMs);
      if (lv.status === "closed") {
        this.abuse(lv.reason);
        return;
      }
      if (lv.status === "limited") {
        this.totals.pointsRateLimited++;
        this.counters.count(home, "rateLimited", 1, nowMs);
        continue;
      }
      const dup = this.dedupe.check(p, nowMs);
      if (dup.status === "deduped") {
        this.totals.pointsDeduped++;
        this.counters.count(home, dup.counter, 1, nowMs);
        continue;
      }
      this.totals.pointsAccepted++;
      this.counters.count(home, "accepted", 1, nowMs);
      // Every forwarded point goes to the batcher at once, a hovering drone's 1 s refresh too: it is
      // what keeps that drone usable in its region (older than the stale limit, a state is ignored).
      this.enqueue(home, p, false, nowMs);
      for (const g of haloRegions(p.lat, p.lon, this.opts.regionPrecision, this.opts.haloM, this.halo)) {
        this.counters.count(g, "ghostsSent", 1, nowMs);
        this.enqueue(g, p, true, nowMs);
      }
    }
    for (const frame of rejections.frames(this.ownDroneId)) this.toClient(frame);
  }

  private enqueue(regionKey: string, p: TelemetryPoint, ghost: boolean, nowMs: number): void {
    for (const b of this.batcher.add(regionKey, p, ghost, nowMs)) this.frameBatches.add(b);
  }

  /** A batch leaves with the counter deltas waiting for its region. */
  private send(b: FlushedBatch): void {
    const counters = this.counters.take(b.regionKey);
    counters[COUNTER_INDEX.batched]! += b.points.length;
    this.firstRegion ??= b.regionKey;
    this.out.batches.push({ regionKey: b.regionKey, points: b.points, ghost: b.ghost, counters });
  }

  /** Counts against the drone's last known region (a rejected point's own position is not trusted). */
  private countForDrone(droneId: string, name: CounterName, n: number, nowMs: number): void {
    this.counters.countForDrone(droneId, name, n, nowMs, this.firstRegion);
  }

  private badFrame(nowMs: number, code: ErrorCode, message: string): void {
    this.toClient(errorFrame(code, message));
    if (this.badFrames.record(nowMs)) {
      this.toClient(errorFrame(ErrorCode.POLICY, `more than ${this.opts.badFrameLimit} bad frames in ${this.opts.badFrameWindowMs / 1000} s`));
      this.closeWith(CloseCode.POLICY, "too many bad frames");
    }
  }

  private abuse(reason: string): void {
    this.toClient(errorFrame(ErrorCode.POLICY, reason));
    this.closeWith(CloseCode.POLICY, "rate limit abuse");
  }

  private closeWith(code: number, reason: string): void {
    if (this.out.close) return;
    this.out.close = { code, reason };
    this.closed = true;
  }

  private toClient(frame: Uint8Array): void {
    this.out.toClient.push(frame);
  }

  private take(): SessionOutput {
    const o = this.out;
    this.out = emptyOutput();
    return o;
  }
}
