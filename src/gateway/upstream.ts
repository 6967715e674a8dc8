/**
 * One gateway connection's link to one region object: a long-lived WebSocket (one subrequest, not one
 * per batch: docs/platform.md), owned by the request that carries the drone socket. Batches are numbered
 * per link and kept until the region acknowledges them as applied and durable; when the link drops
 * (restart, eviction, deploy) it reconnects with jittered backoff and resends what is unacknowledged.
 */
import type { Options } from "../config.js";
import type { Env } from "../env.js";
import { markResent } from "../wire/batch-codec.js";
import { encodedScratch } from "../wire/batch-scratch.js";
import { encodeLinkBatch } from "./link-batch.js";
import type { LinkHost } from "./link-host.js";
import { AlertLatencySamples } from "../link/alert-latency-samples.js";
import { nextBackoffMs } from "../link/backoff.js";
import { linkTarget } from "./link-target.js";
import { parseControl } from "../wire/link-protocol.js";
import type { TelemetryPoint } from "../wire/point.js";
import { ResendBuffer, type Eviction } from "../link/resend-buffer.js";
import { log } from "../log.js";
import { BatchTrace } from "./batch-trace.js";
import { CloseCode } from "../wire/close-codes.js";
import { closeSocket } from "./close-socket.js";
import { BACKLOG_GRACE_MS, HELLO_TIMEOUT_MS } from "../tunables.js";

export type { LinkHost } from "./link-host.js";

/** `hello`: connected, waiting for the region to say what it has applied before anything is sent. */
type State = "connecting" | "hello" | "open" | "backoff" | "closed";

export class UpstreamLink {
  private ws: WebSocket | null = null;
  /** The previous path's socket after a route switch, open until the new path says hello (see reroute). */
  private retiring: WebSocket | null = null;
  private state: State = "closed";
  private seq = 0;
  /** Highest sequence handed to a socket: anything at or below it that is sent again is a resend. */
  private highestSent = 0;
  /** Evicted from the resend buffer while in flight on the current socket, not yet acknowledged. */
  private unprotected: Eviction[] = [];
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** This link's batches' trace context: traceparents, and spans with tracing on (src/gateway/batch-trace.ts). */
  readonly trace: BatchTrace;
  private readonly buffer: ResendBuffer;
  /** Hubs the region asked this link to go through (0: direct). */
  private hubs = 0;
  /** Edge-side alert latencies measured on this link, riding with its next batch into the region's metrics. */
  private readonly latencies = new AlertLatencySamples();
  /** When the link last carried a batch (gateway ms): a link idle for LINK_IDLE_MS with nothing unacknowledged is closed. */
  lastSentMs = 0;
  /** Fault injection (CHAOS=1, src/gateway/chaos-state.ts): asked after each batch sent; true cuts the socket with it in flight. */
  cutAfterSend: (() => boolean) | null = null;

  constructor(
    readonly regionKey: string,
    readonly linkId: string,
    private readonly env: Env,
    opts: Options,
    private readonly host: LinkHost,
    traceId: string,
    /** The drone of a single-drone session, whose link may go through a hub; null for a relay (always direct). */
    private readonly routeKey: string | null = null,
  ) {
    this.buffer = new ResendBuffer({ resendMaxMs: opts.resendMaxMs, resendMaxBytes: opts.resendMaxBytes });
    this.trace = new BatchTrace(traceId, regionKey, linkId);
  }

  /** Unacknowledged batches held for resending. */
  get unacked(): number {
    return this.buffer.size;
  }

  start(): void {
    if (this.state === "closed") void this.connect();
  }

  /** `urgent`: flushed for a drone in proximity; an ingest hub passes it on at once. `receivedMs`: each point's arrival here. */
  send(points: TelemetryPoint[], ghost: Uint8Array, counters: Float64Array, nowMs: number, urgent = false, receivedMs?: number[]): void {
    this.seq++;
    this.lastSentMs = nowMs;
    const span = this.trace.start(this.seq, points.length, urgent);
    const tp = this.trace.traceparentFor(span);
    const n = encodeLinkBatch(this.seq, nowMs, tp, counters, points, ghost, urgent, receivedMs, this.latencies.take());
    // Copied once into the resend buffer and once for the socket (an ArrayBuffer: no view object around it).
    const bytes = this.state === "open" && this.ws ? encodedScratch().buffer.slice(0, n) : null;
    const evicted = this.buffer.pushBytes(encodedScratch(), n, this.seq, nowMs, points.length, nowMs);
    if (evicted.length > 0) this.evicted(evicted);
    this.backlogChanged(nowMs);
    if (bytes !== null && this.state === "open" && this.ws) {
      try {
        this.ws.send(bytes);
        this.highestSent = this.seq;
        if (this.cutAfterSend?.()) this.cut();
      } catch {
        this.dropped();
      }
    } else if (this.state === "closed") {
      void this.connect();
    }
    this.trace.end(span, this.highestSent < this.seq);
  }

  /**
   * The owner gives up on this link (its session ended and the resend window is over): whatever is
   * still unacknowledged is counted lost (the region may have applied some of it, but cannot say so
   * any more), then the link closes. Returns the points counted.
   */
  abandon(): number {
    let points = 0;
    for (const b of this.buffer.pending()) points += b.points;
    for (const e of this.unprotected) points += e.points;
    this.unprotected = [];
    this.buffer.ack(Number.MAX_SAFE_INTEGER);
    if (points > 0) this.host.lost(this.regionKey, points);
    this.close();
    return points;
  }

  close(): void {
    this.state = "closed";
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    closeSocket(this.ws, "client gone");
    this.ws = null;
    this.retire();
  }

  private async connect(): Promise<void> {
    this.state = "connecting";
    try {
      const to = linkTarget(this.env, this.regionKey, this.linkId, this.routeKey, this.hubs);
      const resp = await to.stub.fetch(to.url, { headers: { Upgrade: "websocket" } });
      const ws = resp.webSocket;
      if (resp.status !== 101 || !ws) throw new Error(`region answered ${resp.status}`);
      if ((this.state as State) === "closed") {
        ws.accept();
        ws.close(CloseCode.NORMAL, "client gone");
        return;
      }
      ws.accept();
      // From compatibility date 2026-03-17 binary messages arrive as Blob unless asked otherwise.
      ws.binaryType = "arraybuffer";
      ws.addEventListener("message", (ev) => this.onMessage(ev.data));
      // Only the current socket's end counts: one already given up may still deliver acks and alerts.
      const ended = () => {
        if (this.ws === ws) this.dropped();
      };
      ws.addEventListener("close", ended);
      ws.addEventListener("error", ended);
      this.ws = ws;
      // Nothing is sent until the region's hello says what it has already applied: sending a new
      // batch first would make the region drop the older resent ones as duplicates.
      this.state = "hello";
      // A hello that never comes (lost in a route switch, say) must not park the link: it starts over.
      setTimeout(() => {
        if (this.state === "hello" && this.ws === ws) {
          log("no hello from the region: reconnecting", { region: this.regionKey, linkId: this.linkId }, "error");
          closeSocket(ws, "no hello");
          this.dropped();
        }
      }, HELLO_TIMEOUT_MS);
    } catch (e) {
      log("region link failed", { region: this.regionKey, linkId: this.linkId, error: String(e) }, "error");
      this.dropped();
    }
  }

  private onMessage(data: unknown): void {
    if (typeof data === "string") {
      const m = parseControl(data);
      if (!m) return;
      switch (m.t) {
        case "hello":
          this.retire();
          this.buffer.ack(m.applied);
          this.acked(m.applied);
          // Batches older than the resend window are not sent again (the region would ignore states that
          // old): they are counted lost now, not when the next batch happens to be pushed.
          this.evicted(this.buffer.trim(Date.now()));
          // Unprotected batches the region does not have now can no longer be sent again: lost.
          for (const e of this.unprotected) this.host.lost(this.regionKey, e.points);
          this.unprotected = [];
          this.backlogChanged(Date.now());
          if (this.resend()) {
            this.state = "open";
            this.attempt = 0;
          }
          break;
        case "ack":
          this.buffer.ack(m.seq);
          this.acked(m.seq);
          this.backlogChanged(Date.now());
          break;
        case "proximity":
          this.host.proximity(this.regionKey, m.ids);
          break;
        case "far":
          this.host.far(this.regionKey, m.ids, m.validMs);
          break;
        case "route":
          if (this.routeKey !== null && m.hubs !== this.hubs) this.reroute(m.hubs);
          break;
        case "shed":
          this.host.shed(this.regionKey, m.level);
          break;
      }
    } else if (data instanceof ArrayBuffer) {
      const frame = new Uint8Array(data);
      this.host.forward(frame);
      this.latencies.observe(frame, Date.now());
    }
  }

  /**
   * The region asked for another path (through `hubs` hubs, or direct with 0): connect there at once.
   * Nothing is lost or doubled in the switch: the new path's hello says what the region has durably
   * applied, the rest is resent, and the region's ledger (per link, whichever path) drops repeats.
   */
  private reroute(hubs: number): void {
    this.hubs = hubs;
    if (this.state === "closed") return;
    const old = this.ws;
    this.ws = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // Make before break: the old path stays open until the new one's hello, so frames already on their
    // way on it (an alert sent as the region switched the link) still arrive; then it is closed.
    this.retire();
    this.retiring = old;
    void this.connect();
  }

  /** Closes the previous path's socket kept open across a route switch. */
  private retire(): void {
    closeSocket(this.retiring, "route changed");
    this.retiring = null;
  }

  /** Sends every unacknowledged batch in order, marked resent; false when the socket failed meanwhile. */
  private resend(): boolean {
    const ws = this.ws;
    if (!ws) return false;
    let resentPoints = 0;
    for (const b of this.buffer.pending()) {
      try {
        markResent(b.bytes); // the region does not take its wait for a sign of overload
        ws.send(b.bytes);
        if (b.seq <= this.highestSent) resentPoints += b.points;
        else this.highestSent = b.seq;
      } catch {
        this.dropped();
        return false;
      }
    }
    if (resentPoints > 0) this.host.resent(this.regionKey, resentPoints);
    return true;
  }

  /**
   * Batches the resend buffer gave up. One already on the current socket is probably still on its
   * way and will be applied: it is only unprotected, and counts as lost if, after a reconnect, the
   * region says it never got it. One never sent is lost now. The client hears of every loss.
   */
  private evicted(evictions: readonly Eviction[]): void {
    for (const e of evictions) {
      if (this.state === "open" && e.seq <= this.highestSent) this.unprotected.push(e);
      else this.host.lost(this.regionKey, e.points);
    }
  }

  /** The session sheds on how deep the backlog runs (src/ingest/load-shed.ts): told after every change to it. */
  private backlogChanged(nowMs: number): void {
    this.host.backlog(this.regionKey, this.buffer.fill(nowMs, BACKLOG_GRACE_MS));
  }

  private acked(seq: number): void {
    if (this.unprotected.length > 0) this.unprotected = this.unprotected.filter((e) => e.seq > seq);
  }

  /** Fault injection: the socket goes away under the batches just sent, as in a network drop. */
  private cut(): void {
    const ws = this.ws;
    this.dropped();
    closeSocket(ws, "chaos: link cut");
  }

  /** The socket is gone: schedule a reconnect unless the owner closed us. */
  private dropped(): void {
    if (this.state === "closed" || this.state === "backoff") return;
    this.ws = null;
    this.state = "backoff";
    const delay = nextBackoffMs(this.attempt++);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.evicted(this.buffer.trim(Date.now())); // a link away for long must not hold stale batches
      this.backlogChanged(Date.now());
      if (this.state === "backoff") void this.connect();
    }, delay);
  }
}
