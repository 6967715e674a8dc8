/**
 * The shell of one drone or relay socket: it turns socket events, link events and one timer into calls
 * on the pure SessionCore (src/ingest/session-core.ts) and carries out what the core returns: frames to
 * the client, batches on the upstream link of each region, a close. Everything here belongs to the
 * request that upgraded the socket; nothing touches another connection's sockets (docs/platform.md).
 */
import type { Options } from "../config.js";
import type { Env } from "../env.js";
import { SessionCore, type SessionOutput } from "../ingest/session-core.js";
import { newTraceId } from "../link/trace.js";
import { SCOPE } from "../tracing/span-names.js";
import { type Tracing, tracingFor } from "../tracing/tracing.js";
import { log } from "../log.js";
import type { Principal } from "./auth.js";
import type { AuthResult } from "./credentials.js";
import { linkCutter, sessionEnded, sessionOpened } from "./chaos-state.js";
import type { LinkHost } from "./link-host.js";
import { UpstreamLink } from "./upstream.js";
import { limitsOf, sendClaim } from "./fleet-claim.js";

/** What the request that upgraded the socket lends its session. */
export interface SessionHooks {
  /** Keeps the request alive for a promise (the links' last acks after the client left). */
  waitUntil?: (p: Promise<unknown>) => void;
  /** Verifies a token sent in a Renew frame (src/gateway/credentials.ts). */
  verify?: (token: string) => Promise<AuthResult>;
  /** Called once when the session is over (the per-token connection cap's release). */
  onEnd?: () => void;
}

export class DroneSession implements LinkHost {
  readonly sessionId = crypto.randomUUID();
  private readonly traceId = newTraceId();
  private readonly core: SessionCore;
  /** The isolate's tracing (src/tracing/tracing.ts): off unless OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  private readonly tracing: Tracing;
  private readonly links = new Map<string, UpstreamLink>();
  private idleSweep: ReturnType<typeof setInterval> | null = null;
  /** Renews the session's leases on its fleet's quotas (the core says when a claim is owed). */
  private claimTick: ReturnType<typeof setInterval> | null = null;
  private readonly fleet: string;
  /** Links this session has opened, for their ids. */
  private linkSerial = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAt = Infinity;
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    principal: Principal,
    private readonly opts: Options,
    private readonly env: Env,
    private readonly hooks: SessionHooks = {},
  ) {
    this.fleet = principal.fleet;
    this.core = new SessionCore(principal, opts, Date.now(), limitsOf(env, opts, principal.fleet));
    this.tracing = tracingFor(env, opts.traceSampleRatio);
    if (opts.chaos === 1) sessionOpened(this.core.totals);
  }

  start(): void {
    const ws = this.ws;
    ws.accept();
    ws.binaryType = "arraybuffer";
    ws.addEventListener("message", (ev) => this.apply(this.core.onFrame(ev.data as ArrayBuffer | string, Date.now())));
    ws.addEventListener("close", () => this.shutdown());
    ws.addEventListener("error", () => this.shutdown());
    this.sendToClient(this.core.welcome(this.sessionId, Date.now()));
    this.schedule(Date.now()); // the token's expiry, if nothing else
    this.idleSweep = setInterval(() => this.closeIdleLinks(Date.now()), Math.max(250, Math.floor(this.opts.linkIdleMs / 4)));
    if (this.core.fleet.active) this.claimTick = setInterval(() => this.claim(Date.now()), this.core.fleet.renewEveryMs);
  }

  // ---- LinkHost: what the region links tell us ----

  forward(frame: Uint8Array): void {
    this.core.onForwarded();
    this.sendToClient(frame);
  }

  proximity(regionKey: string, ids: string[]): void {
    this.apply(this.core.onProximity(regionKey, ids));
  }

  far(regionKey: string, ids: string[], validMs: number): void {
    this.apply(this.core.onFar(regionKey, ids, validMs, Date.now()));
  }

  resent(regionKey: string, points: number): void {
    this.core.onResent(regionKey, points, Date.now());
  }

  shed(regionKey: string, level: number): void {
    this.core.shedding.setLevel(regionKey, level, Date.now());
  }

  backlog(regionKey: string, fill: number): void {
    if (this.opts.loadShedding === 1) this.core.shedding.setBacklog(regionKey, fill);
  }

  lost(regionKey: string, points: number): void {
    this.apply(this.core.onLost(regionKey, points, Date.now()));
  }

  // ---- carrying out what the core decided ----

  private apply(o: SessionOutput): void {
    if (this.closed) return;
    // Indexed loops, and one clock reading: a for-of allocated an iterator and a result per step.
    const now = Date.now();
    for (let i = 0; i < o.toClient.length; i++) this.sendToClient(o.toClient[i]!);
    for (let i = 0; i < o.batches.length; i++) this.sendBatch(o.batches[i]!, now);
    if (o.renew !== null) this.renew(o.renew);
    if (o.close) {
      try {
        this.ws.close(o.close.code, o.close.reason);
      } catch {
        // already closing
      }
      this.shutdown();
      return;
    }
    this.claim(now);
    this.schedule(now);
  }

  private sendBatch(b: SessionOutput["batches"][number], now: number): void {
    this.linkTo(b.regionKey).send(b.points, b.ghost, b.counters, now, b.urgent, b.receivedMs);
    this.core.recycle(b); // its counters are in the batch's bytes now
    if (this.tracing.on) this.flushTraces(now);
  }

  /** Spans leave from whichever session finds a flush due, kept alive by its request: never on a batch's way. */
  private flushTraces(now: number, all = false): void {
    const p = all ? this.tracing.flush(now) : this.tracing.flushDue(now);
    if (p) this.hooks.waitUntil?.(p);
  }

  /** Verifies a renewal's token off the socket's turn and hands the outcome to the core. */
  private renew(token: string): void {
    const verify = this.hooks.verify;
    const settle = (r: AuthResult) => this.apply(this.core.onRenewal(r.ok ? r.principal : r.error, Date.now()));
    if (!verify) settle({ ok: false, status: 401, error: "this server cannot verify renewals" });
    else verify(token).then(settle, () => settle({ ok: false, status: 401, error: "token could not be verified" }));
  }

  /**
   * Sends the claim the core owes its fleet's quota object, if any (at most one in flight): never awaited
   * by a point. Unanswered, the session admits on unchecked (fails open: an alert matters more than a quota).
   */
  private claim(now: number): void {
    if (this.closed) return;
    const draft = this.core.fleet.request(now);
    if (!draft) return;
    sendClaim(this.env, { fleet: this.fleet, session: this.sessionId, ...draft }).then(
      (reply) => this.apply(this.core.onFleetReply(reply, Date.now())),
      (e: unknown) => {
        log("fleet quota object did not answer: admitting unchecked", { session: this.sessionId, fleet: this.fleet, error: String(e) }, "error");
        this.apply(this.core.onFleetReply(null, Date.now()));
      },
    );
  }

  /**
   * Links with nothing sent for LINK_IDLE_MS and nothing left unacknowledged are closed: an open link
   * keeps its region's alarm running (issue 11), and its slot counts against the session's region cap.
   */
  private closeIdleLinks(now: number): void {
    if (this.closed) return;
    for (const [key, link] of this.links) {
      if (link.unacked > 0 || now - link.lastSentMs < this.opts.linkIdleMs) continue;
      link.close();
      this.links.delete(key);
      this.core.onLinkClosed(key);
    }
  }

  private linkTo(regionKey: string): UpstreamLink {
    let link = this.links.get(regionKey);
    if (!link) {
      // A new id for every link a session opens to a region: one reopened after an idle close numbers its
      // batches from 1 again, and under the old id the region would drop them all as already applied.
      const linkId = `${this.sessionId}.${regionKey}.${(this.linkSerial++).toString(36)}`;
      link = new UpstreamLink(regionKey, linkId, this.env, this.opts, this, this.traceId, this.core.ownDroneId);
      this.links.set(regionKey, link);
      if (this.opts.chaos === 1) link.cutAfterSend = linkCutter();
      link.trace.tracer = this.tracing.tracer(SCOPE.gateway);
      link.start();
    }
    return link;
  }

  /** One timer per session, for the core's earliest deadline (a batch window, a counters-only flush). */
  private schedule(now: number): void {
    const at = this.core.nextDeadline();
    if (this.closed || !Number.isFinite(at) || (this.timer && at >= this.timerAt)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.timerAt = Infinity;
        if (!this.closed) this.apply(this.core.onTimer(Date.now()));
      },
      Math.max(0, at - now),
    );
  }

  private sendToClient(frame: Uint8Array): void {
    if (this.closed) return;
    try {
      this.ws.send(frame);
    } catch {
      this.shutdown();
    }
  }

  /**
   * The client is gone. Points already accepted are flushed first so none is lost with the socket;
   * the links stay up until their batches are acknowledged (bounded by the resend window).
   */
  private shutdown(): void {
    if (this.closed) return;
    const now = Date.now();
    for (const b of this.core.drain().batches) this.sendBatch(b, now);
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.idleSweep) clearInterval(this.idleSweep);
    if (this.claimTick) clearInterval(this.claimTick);
    this.hooks.onEnd?.();
    // The session's leases go back now; if this is lost, they lapse after FLEET_LEASE_MS.
    const release = this.core.fleet.release();
    if (release) (this.hooks.waitUntil ?? (() => {}))(sendClaim(this.env, { fleet: this.fleet, session: this.sessionId, ...release }).catch(() => {}));
    if (this.tracing.on) this.flushTraces(now, true);
    const deadline = now + this.opts.resendMaxMs;
    // The runtime may end this request once the client socket is gone: keep it alive until the
    // regions have acknowledged everything (or the resend window is over).
    (this.hooks.waitUntil ?? (() => {}))(
      new Promise<void>((resolve) => {
        const closeWhenAcked = () => {
          for (const [key, link] of this.links) {
            if (link.unacked === 0) link.close();
            else if (Date.now() >= deadline) {
              // Still unacknowledged after the resend window: counted lost, not dropped silently.
              const points = link.abandon();
              log("points undelivered at session end", { session: this.sessionId, region: key, points }, "error");
            } else continue;
            this.links.delete(key);
          }
          if (this.links.size > 0) setTimeout(closeWhenAcked, 250);
          else {
            sessionEnded(this.core.totals); // a no-op unless CHAOS=1 registered it
            resolve();
          }
        };
        closeWhenAcked();
      }),
    );
  }
}
