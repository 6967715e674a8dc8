/**
 * The connection engine shared by DroneClient and RelayClient: connect with a token, wait for the
 * welcome, batch queued points per its limits, ping, and on any drop reconnect with jittered backoff
 * and resume from the unsent queue. Subclasses only decide how a point gets its drone id.
 */
import { CloseCode } from "../wire/close-codes.js";
import { StreamEncoder } from "../wire/telemetry-stream.js";
import { createBackoff, type Backoff } from "../link/backoff.js";
import { Emitter } from "./emitter.js";
import { sendQueued } from "./frame-sender.js";
import { InboundFrames } from "./inbound-frames.js";
import { Keepalive } from "./keepalive.js";
import type { PongMessage, ServerMessage, SessionCounters, WelcomeMessage } from "./messages.js";
import type { ClientEvents, ClientOptions, ClientStats } from "./options.js";
import * as defaults from "./options.js";
import { Outbox } from "./outbox.js";
import { CounterBank } from "./session-counters.js";
import { OPEN, closeQuietly, forceClose, openSocket, resolveSocketFactory, type ResolvedSocketFactory, type SocketLike } from "./socket.js";
import { TokenRenewal } from "./renewal.js";
import { encodePingFrame, encodeRenewFrame, type ClientPoint } from "./wire.js";
import { loadZstdEncoder, type ZstdEncoder } from "./zstd.js";

export type { ClientEvents, ClientOptions, ClientStats } from "./options.js";
export { emptyCounters } from "./session-counters.js";

type State = "idle" | "connecting" | "open" | "waiting" | "closed";

export abstract class BaseClient extends Emitter<ClientEvents> {
  protected readonly opts: ClientOptions;
  protected readonly outbox: Outbox;
  protected readonly now: () => number;
  private readonly backoff: Backoff;
  private factory: ResolvedSocketFactory | null = null;
  private zstd: ZstdEncoder | null = null;
  private sock: SocketLike | null = null;
  private state: State = "idle";
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly keepalive: Keepalive;
  /** Renews the token in-band before it expires, when `token` is a function (src/client/renewal.ts). */
  private readonly renewal: TokenRenewal;
  private readonly inbound = new InboundFrames(
    (msg) => this.handleFrame(msg),
    (error) => this.emit("error", { error }),
  );
  private readonly countersBank = new CounterBank();
  /** This connection's TelemetryStream state (a fresh one per session). */
  private streamEncoder: StreamEncoder | null = null;
  /** The server's limits for the current session. */
  welcome: WelcomeMessage | null = null;
  /** Server clock minus client clock, ms, from the latest pong (NaN until one arrives). */
  clockOffsetMs = NaN;
  readonly stats: ClientStats = defaults.emptyStats();

  constructor(opts: ClientOptions, defaultCapacity: number) {
    super();
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    this.backoff = createBackoff({ ...defaults.CLIENT_BACKOFF, ...opts.backoff });
    this.outbox = new Outbox(opts.queueCapacity ?? defaultCapacity);
    this.keepalive = new Keepalive(this.now);
    const fetchToken = typeof opts.token === "function" ? opts.token : null;
    this.renewal = new TokenRenewal(
      fetchToken,
      (t) => this.sendFrame(encodeRenewFrame(t)),
      this.now,
      (error) => this.emit("error", { error }),
    );
  }

  /** Drone id sent on the wire for `p` ("" = the token's subject); throws for an unusable point. */
  protected abstract prepare(p: ClientPoint): ClientPoint;
  /** Outbox key a rate-limit notice for `droneId` pauses ("" = every queued point). */
  protected pauseKey(droneId: string): string {
    return droneId;
  }
  /** The drone id the server infers from the token, left off the wire; undefined for relays. */
  protected abstract implicitDroneId(): string | undefined;

  /** Opens the connection; resolves on the first welcome. Retries per the backoff unless `reconnect: false`. */
  async connect(): Promise<WelcomeMessage> {
    if (this.state === "closed") throw new Error("client is closed");
    this.factory ??= await resolveSocketFactory(this.opts);
    if (this.opts.compress) this.zstd ??= await loadZstdEncoder(this.opts.zstdLevel ?? 3);
    const welcomed = defaults.nextWelcome(this);
    if (this.state === "open" && this.welcome) return this.welcome;
    if (this.state === "idle" || this.state === "waiting") {
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = null;
      void this.open();
    }
    return welcomed;
  }

  /** Queues a point; it goes out in the next batch. Throws InvalidPointError for a malformed one. */
  send(point: ClientPoint): void {
    if (this.state === "closed") throw new Error("client is closed");
    const p = this.prepare(point);
    const dropped = this.outbox.push(p, this.now());
    this.stats.droppedOverflow += dropped;
    this.scheduleFlush();
  }

  /** Sends a Ping now; resolves with its Pong (and the session counters), rejects after `timeoutMs`. */
  ping(timeoutMs = 5000): Promise<PongMessage & { rttMs: number }> {
    const nonce = this.keepalive.nextNonce();
    const result = defaults.pongFor(this, nonce, timeoutMs);
    this.sendPing(nonce);
    return result;
  }

  /** Counters summed over every session of this client (from pongs: call ping() for fresh ones). */
  get counters(): SessionCounters {
    return this.countersBank.total;
  }

  get connected(): boolean {
    return this.state === "open" && this.welcome !== null;
  }

  /** Closes the socket without forgetting the queue; `connect()` resumes (a radio link drop, say). */
  suspend(): void {
    if (this.state === "closed") return;
    this.clearTimers();
    this.state = "idle";
    this.dropSocket(1000, "suspended");
  }

  /** Closes for good: timers stop, queued points are discarded. */
  close(code: number = CloseCode.NORMAL, reason = "client closed"): void {
    if (this.state === "closed") return;
    this.clearTimers();
    this.state = "closed";
    this.dropSocket(code, reason);
    this.outbox.clear();
    this.emit("close", { code, reason, willReconnect: false, delayMs: 0 });
  }

  private async open(): Promise<void> {
    this.state = "connecting";
    const opened = await openSocket(this.factory!, this.opts.url, this.opts.token);
    if (!opened.ok) {
      this.emit("error", { error: opened.error });
      if (this.state === "connecting") this.onDrop(1006, opened.reason);
      return;
    }
    const sock = opened.sock;
    if (this.state !== "connecting") return forceClose(sock); // closed or suspended while the token came
    this.sock = sock;
    this.keepalive.heard();
    sock.onopen = () => this.startPings();
    sock.onmessage = (ev) => {
      this.keepalive.heard();
      this.inbound.push(ev.data);
    };
    sock.onerror = (error) => this.emit("error", { error });
    sock.onclose = (ev) => {
      if (this.sock !== sock) return;
      this.sock = null;
      this.onDrop(ev.code, ev.reason);
    };
    sock.start?.();
  }

  private handleFrame(msg: ServerMessage): void {
    switch (msg.type) {
      case "welcome":
        this.welcome = msg;
        // A server without stream support announces no table: fall back to columns.
        this.streamEncoder = this.opts.stream && msg.streamMaxDrones > 0 ? new StreamEncoder(msg.streamMaxDrones) : null;
        this.state = "open";
        this.backoff.reset();
        this.renewal.arm(msg.expiresAtMs);
        this.emit("welcome", msg);
        this.flush();
        break;
      case "alert":
      case "advisory":
        this.emit(msg.type, msg);
        break;
      case "renewed":
        this.renewal.arm(msg.expiresAtMs);
        this.emit("renewed", msg);
        break;
      case "error":
        this.emit("serverError", msg);
        break;
      case "rateLimit":
        this.outbox.pause(this.pauseKey(msg.droneId), this.now() + msg.retryAfterMs);
        this.emit("rateLimit", msg);
        this.scheduleFlush();
        break;
      case "pong": {
        const { rttMs, clockOffsetMs } = this.keepalive.answered(msg.nonce, msg.serverTimeMs);
        if (!Number.isNaN(clockOffsetMs)) this.clockOffsetMs = clockOffsetMs;
        this.countersBank.update(msg.counters);
        this.emit("pong", { ...msg, rttMs });
        break;
      }
    }
  }

  private onDrop(code: number, reason: string): void {
    this.keepalive.reset();
    this.renewal.stop(); // a renewal belongs to its session
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.welcome = null;
    this.streamEncoder = null;
    // Counters are per session: bank this session's last known values before the next one starts.
    this.countersBank.bank();
    if (this.state === "closed" || this.state === "idle") return;
    const max = this.opts.maxReconnectAttempts ?? Infinity;
    const willReconnect = (this.opts.reconnect ?? true) && this.backoff.attempts < max;
    let delayMs = 0;
    if (willReconnect) {
      delayMs = this.backoff.next();
      if (code === CloseCode.POLICY) delayMs = Math.max(delayMs, defaults.POLICY_CLOSE_MIN_DELAY_MS);
      this.state = "waiting";
      this.stats.reconnects++;
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        if (this.state === "waiting") void this.open();
      }, delayMs);
    } else {
      this.state = "closed";
    }
    this.emit("close", { code, reason, willReconnect, delayMs });
  }

  private scheduleFlush(): void {
    if (this.flushTimer || this.state !== "open" || !this.welcome) return;
    const max = this.welcome.maxPointsPerFrame || defaults.DEFAULT_MAX_POINTS;
    const window = this.welcome.batchWindowMs || defaults.DEFAULT_WINDOW_MS;
    // Paused drones' held points simply wait for a later tick: polling at the window is cheap.
    const delay = this.outbox.size >= max ? 0 : window;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flush();
    }, delay);
  }

  /** Sends every sendable queued point now, in frames within the welcome's limits. */
  flush(): void {
    const sock = this.sock;
    if (!sock || !this.welcome || sock.readyState !== OPEN) return;
    const columnar = (this.opts.columnar ?? false) || (this.opts.stream ?? false);
    const format = { implicitDroneId: this.implicitDroneId(), columnar, stream: this.streamEncoder, zstd: this.zstd };
    sendQueued(sock, this.outbox, this.welcome, this.opts.maxBufferedBytes ?? 1024 * 1024, format, this.stats, this.now);
    if (this.outbox.size > 0) this.scheduleFlush();
  }

  private sendPing(nonce: number): void {
    if (this.sendFrame(encodePingFrame(nonce))) this.keepalive.sent(nonce);
  }

  /** Sends a control frame now; false without an open socket. */
  private sendFrame(bytes: Uint8Array): boolean {
    const sock = this.sock;
    if (!sock || sock.readyState !== OPEN) return false;
    sock.send(bytes);
    return true;
  }

  private startPings(): void {
    const every = this.opts.pingIntervalMs ?? 15_000;
    this.keepalive.start(
      every,
      this.opts.idleTimeoutMs ?? 3 * every,
      () => this.sendPing(this.keepalive.nextNonce()),
      () => {
        // A half-open TCP connection never delivers a close: treat silence as a drop.
        const sock = this.sock;
        this.sock = null;
        if (sock) forceClose(sock);
        this.onDrop(4000, "idle timeout");
      },
    );
  }

  private clearTimers(): void {
    this.keepalive.stop();
    this.renewal.stop();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.flushTimer = null;
    this.retryTimer = null;
  }

  private dropSocket(code: number, reason: string): void {
    const sock = this.sock;
    this.sock = null;
    this.welcome = null;
    this.streamEncoder = null;
    if (sock) closeQuietly(sock, code, reason);
  }
}
