/**
 * One drone or relay socket's pipeline, pure: bytes in → frames for the client, batches per region (with
 * their counter deltas), and a close when the client must go. Decode → validate → rate limit → route →
 * shed (load-shed.ts) → near-duplicate filter → micro-batch; limits charged before the work they protect
 * (frame-gate.ts), points admitted for their fleet (point-admission.ts), credentials kept (credential-clock.ts).
 * The gateway's DroneSession only wires a socket, its links and one timer to it, so every rule here,
 * exactly-once accounting included, is tested in Node.
 */
import type { Options } from "../config.js";
import { ErrorCode, type Point } from "../gen/airspace/v1/airspace_pb.js";
import { CloseCode } from "../wire/close-codes.js";
import type { TelemetryPoint } from "../wire/point.js";
import { errorFrame, pongFrame, rateLimitFrame, renewedFrame } from "../wire/server-frames.js";
import { StreamDecoder, streamMaxDrones } from "../wire/telemetry-stream.js";
import { CredentialClock } from "./credential-clock.js";
import { FrameGate } from "./frame-gate.js";
import { PointAdmission } from "./point-admission.js";
import type { ClaimReply, FleetLimits } from "./fleet-claim-protocol.js";
import type { FleetClaims } from "./fleet-claims.js";
import { BadFrameWindow } from "./bad-frames.js";
import { type Rejected, SHED } from "./outcome.js";
import { FrameRejections, LIMITED_COUNTERS, rejectedKeyed, rejectionCounters } from "./rejections.js";
import type { SessionBatch, SessionOutput, SessionPrincipal } from "./session-output.js";
import { SessionReplies } from "./session-replies.js";
import { Batcher, type FlushedBatch } from "./batcher.js";
import { sessionWelcome } from "./welcome.js";
import { FrameBatches } from "./frame-batches.js";
import { SessionTotals } from "./session-totals.js";
import { DedupeFilter } from "./dedupe.js";
import { LoadShed } from "./load-shed.js";
import { PendingCounters } from "./pending-counters.js";
import { ConnectionLimiter } from "./rate-limiter.js";
import { COUNTERS_FLUSH_MS } from "../tunables.js";

export type { SessionBatch, SessionOutput, SessionPrincipal } from "./session-output.js";

export class SessionCore extends SessionReplies {
  readonly ownDroneId: string | null;
  /** The TelemetryStream table size this session announces and decodes with. */
  readonly streamTable: number;
  readonly totals = new SessionTotals();
  private readonly limiter: ConnectionLimiter;
  private readonly dedupe: DedupeFilter;
  /** What an overloaded region asked this session to hold back (issue 12): the shell sets its levels. */
  readonly shedding = new LoadShed();
  private readonly batcher: Batcher;
  /** Counter deltas per region not yet sent with a batch, and where each drone flies. */
  private readonly counters: PendingCounters;
  private readonly badFrames: BadFrameWindow;
  private readonly gate: FrameGate;
  private readonly admission: PointAdmission;
  private readonly credentials: CredentialClock;
  /** The TelemetryStream state of this connection, made by its first stream frame. */
  private stream: StreamDecoder | null = null;
  /** A frame's flushed batches, merged per region until the frame is handled. */
  private readonly frameBatches: FrameBatches;
  private readonly rejections = new FrameRejections();

  constructor(
    private readonly principal: SessionPrincipal,
    private readonly opts: Options,
    nowMs: number,
    limits: FleetLimits = { drones: opts.fleetMaxDrones, regions: opts.fleetMaxRegions },
  ) {
    super();
    this.ownDroneId = principal.role === "drone" ? principal.sub : null;
    this.streamTable = streamMaxDrones(principal.role, opts.relayMaxDrones);
    this.admission = new PointAdmission(principal, opts, limits, nowMs);
    this.credentials = new CredentialClock(principal);
    const entitlement = principal.role === "relay" ? (this.admission.scope.listed ?? opts.relayMaxDrones) : 1;
    this.limiter = new ConnectionLimiter(opts, nowMs, 1, entitlement);
    this.gate = new FrameGate(opts, this.limiter, () => (this.stream ??= new StreamDecoder(this.streamTable)));
    this.dedupe = new DedupeFilter(opts);
    this.badFrames = new BadFrameWindow(opts.badFrameLimit, opts.badFrameWindowMs);
    this.batcher = new Batcher(opts);
    this.frameBatches = new FrameBatches(opts.batchMaxPoints, (b) => this.send(b));
    // Twice the drones a relay may carry: room for churn, bounded against invented ids.
    this.counters = new PendingCounters(2 * opts.relayMaxDrones);
  }

  /** The first frame of the session: its id and the limits in force. */
  welcome(sessionId: string, nowMs: number): Uint8Array {
    return sessionWelcome(this.opts, this.principal, this.ownDroneId ?? "", this.streamTable, sessionId, nowMs, this.credentials.deadlineMs);
  }

  /** One client message (binary frame, or a text frame, which is refused). */
  onFrame(data: ArrayBuffer | Uint8Array | string, nowMs: number): SessionOutput {
    if (this.closed) return this.take();
    this.totals.frames++;
    const g = this.gate.pass(data, nowMs);
    switch (g.kind) {
      case "bad":
        this.badFrame(nowMs, g.code, g.message);
        return this.take();
      case "close":
        this.toClient(errorFrame(g.code, g.message));
        this.closeWith(g.close, g.reason);
        return this.take();
      case "ping":
        this.toClient(pongFrame(g.nonce, this.totals.message()));
        return this.take();
      case "renew":
        if (this.credentials.request()) this.out.renew = g.token;
        else this.badFrame(nowMs, ErrorCode.AUTH, "a renewal is already being verified");
        return this.take();
      case "limited": // refused unread: counted where this session already sends, never in a new region
        // A stream frame refused unread would leave the client's stream state ahead of ours, and every
        // later frame misread: a session that streams ends its stream instead (the client starts afresh).
        this.totals.framesLimited++;
        if (this.stream || g.stream) {
          this.toClient(errorFrame(ErrorCode.STREAM, "a frame over the connection's limits was dropped unread; reconnect to start a fresh stream"));
          this.closeWith(CloseCode.STREAM_LOST, "stream frame dropped by the rate limit");
          return this.take();
        }
        this.totals.pointsReceived += g.points;
        this.totals.pointsRateLimited += g.points;
        if (g.points > 0) this.counters.countForDroneHere("", LIMITED_COUNTERS, g.points, nowMs);
        break;
      case "points":
        this.frameBatches.begin();
        if (g.points.length > 0) this.batcher.arrival(nowMs);
        this.acceptPoints(g.points, g.baseTimeMs, nowMs);
        this.gate.release(g);
        this.frameBatches.end();
        if (this.closed) return this.take();
    }
    const notice = this.limiter.takeNotice(nowMs);
    if (notice) this.toClient(rateLimitFrame(this.ownDroneId ?? "", notice.dropped, notice.retryAfterMs));
    const shed = this.shedding.takeNotice(nowMs);
    if (shed) this.toClient(shed);
    return this.onTimer(nowMs);
  }

  /** The shell verified a Renew's token: its principal, or why it was refused (the old token stays in force). */
  onRenewal(next: SessionPrincipal | string, nowMs: number): SessionOutput {
    const v = this.credentials.settle(next);
    if (v.ok) this.toClient(renewedFrame(v.expiresAtMs));
    else if (!this.closed) this.badFrame(nowMs, ErrorCode.AUTH, v.message);
    return this.take();
  }

  /** A link was closed idle: its region no longer counts against the session's region cap. */
  onLinkClosed(regionKey: string): void {
    this.admission.regions.release(regionKey);
  }

  /** A region names its drones in proximity of another: their waiting points leave now, not at the end of the window. */
  onProximity(regionKey: string, ids: string[]): SessionOutput {
    this.frameBatches.add(this.batcher.setProximity(regionKey, ids));
    return this.take();
  }

  /** A region names its provably far drones, valid for `validMs` (the safety-aware stretch). */
  onFar(regionKey: string, ids: string[], validMs: number, nowMs: number): SessionOutput {
    this.frameBatches.add(this.batcher.setFar(regionKey, ids, nowMs + validMs));
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

  /** Batches whose window has closed, counters that waited too long for a batch, the token's expiry. */
  onTimer(nowMs: number): SessionOutput {
    if (this.credentials.expired(nowMs) && !this.closed) {
      this.toClient(errorFrame(ErrorCode.AUTH, "token expired: reconnect with a fresh token, or renew in-band before exp"));
      this.closeWith(CloseCode.TOKEN_EXPIRED, "token expired");
      return this.take();
    }
    this.frameBatches.addAll(this.batcher.due(nowMs));
    this.frameBatches.addCountersOnly(this.counters.overdue(nowMs, COUNTERS_FLUSH_MS));
    return this.take();
  }

  /** When onTimer next has something to do (Infinity: nothing waits). */
  nextDeadline(): number {
    return Math.min(this.batcher.nextDeadline(), this.counters.nextDueMs(COUNTERS_FLUSH_MS), this.credentials.deadlineMs);
  }

  /** This session's claims on its fleet's quotas: the shell sends their requests, off the socket's turn. */
  get fleet(): FleetClaims {
    return this.admission.claims;
  }

  /** The fleet's answer to the claim in flight; null: no answer (admitting on unchecked, counted). */
  onFleetReply(reply: ClaimReply | null, nowMs: number): SessionOutput {
    const sent = this.admission.claims.settle(reply);
    if (!reply && sent) this.counters.countForDroneHere(sent.drones[0] ?? "", "quotaUnchecked", 1, nowMs);
    return this.take();
  }

  /** The client is gone: everything accepted and every pending count leaves now, and nothing more is taken. */
  drain(): SessionOutput {
    this.frameBatches.end();
    this.frameBatches.addAll(this.batcher.drain());
    this.frameBatches.addCountersOnly(this.counters.regions());
    this.closed = true;
    return this.take();
  }

  /** The shell has encoded the batch: nothing holds it any more, and its vector, object and lists are used again. */
  recycle(b: SessionBatch): void {
    this.counters.recycle(b.counters);
    this.batcher.recycle(b);
  }

  private acceptPoints(points: Point[], baseTimeMs: number, nowMs: number): void {
    const rejections = this.rejections.clear();
    for (let i = 0; i < points.length; i++) {
      const wire = points[i]!; // indexed loops: a for-of allocated an iterator and a result per step
      this.totals.pointsReceived++;
      const v = this.admission.check(wire, baseTimeMs, nowMs);
      if (v.status === "rejected") {
        this.reject(v, rejections, nowMs);
        continue;
      }
      const p = v.point;
      const lv = this.limiter.admitPoint(p.droneId, nowMs);
      if (lv.status === "closed") return void this.abusive(lv.reason, rejections.frames(this.ownDroneId));
      if (lv.status === "limited") {
        // Counted where the drone already flies (or this session already sends): never in a new region.
        this.totals.pointsRateLimited++;
        this.counters.countForDroneHere(p.droneId, LIMITED_COUNTERS, 1, nowMs);
        continue;
      }
      const r = this.admission.route(p);
      if ("status" in r) {
        this.reject(r, rejections, nowMs);
        // Sending on what the fleet's quota refused, after being told, is offered traffic of its own.
        const q = r.reason === "regions" ? null : this.limiter.chargeRefused(1, nowMs);
        if (q?.status === "closed") return void this.abusive(q.reason, rejections.frames(this.ownDroneId));
        continue;
      }
      const { home, halo } = r;
      this.admission.accepted(p);
      this.counters.routed(p.droneId, home);
      this.counters.count(home, "received", 1, nowMs);
      // Held back for an overloaded region before the filter: its state still names what the region has.
      const dup = this.shedding.sheds(home, p, this.batcher.inProximity(home, p.droneId), nowMs) ? SHED : this.dedupe.check(p, nowMs);
      if (dup.status !== "accepted") {
        if (dup === SHED) this.totals.pointsShed++;
        else this.totals.pointsDeduped++;
        this.counters.count(home, dup.counter, 1, nowMs);
        continue;
      }
      this.shedding.accepted(p);
      this.totals.pointsAccepted++;
      this.counters.count(home, "accepted", 1, nowMs);
      // Every forwarded point goes to the batcher at once, a hovering drone's 1 s refresh too: it is
      // what keeps that drone usable in its region (older than the stale limit, a state is ignored).
      this.enqueue(home, p, false, nowMs);
      for (let h = 0; h < halo.length; h++) {
        this.counters.count(halo[h]!, "ghostsSent", 1, nowMs);
        this.enqueue(halo[h]!, p, true, nowMs);
      }
    }
    if (rejections.any) for (const frame of rejections.frames(this.ownDroneId)) this.toClient(frame);
  }

  private reject(v: Rejected, rejections: FrameRejections, nowMs: number): void {
    this.totals.pointsRejected++;
    this.counters.countForDroneHere(rejectedKeyed(v.reason) ? v.droneId : this.admission.keyOf(v.droneId), rejectionCounters(v.reason), 1, nowMs);
    rejections.add(v);
  }

  private enqueue(regionKey: string, p: TelemetryPoint, ghost: boolean, nowMs: number): void {
    this.frameBatches.add(this.batcher.addOne(regionKey, p, ghost, nowMs));
  }

  /** A batch leaves with the counter deltas waiting for its region. */
  private send(b: FlushedBatch): void {
    this.batch(this.counters.attach(b));
  }

  private badFrame(nowMs: number, code: ErrorCode, message: string): void {
    this.toClient(errorFrame(code, message));
    if (!this.badFrames.record(nowMs)) return;
    this.toClient(errorFrame(ErrorCode.POLICY, `more than ${this.opts.badFrameLimit} bad frames in ${this.opts.badFrameWindowMs / 1000} s`));
    this.closeWith(CloseCode.POLICY, "too many bad frames");
  }
}
