/**
 * The connection engine shared by DroneClient and RelayClient: connect with a token, wait for the
 * welcome, batch queued points per its limits, ping, and on any drop reconnect with jittered backoff
 * and resume from the unsent queue. Subclasses only decide how a point gets its drone id.
 */
import { createBackoff, type Backoff, type BackoffOptions } from "../link/backoff.js";
import { Emitter } from "./emitter.js";
import type {
  AdvisoryMessage,
  AlertMessage,
  ErrorMessage,
  PongMessage,
  RateLimitMessage,
  RenewedMessage,
  SessionCounters,
  WelcomeMessage,
} from "./messages.js";
import { Outbox } from "./outbox.js";
import { OPEN, messageBytes, resolveSocketFactory, type AuthMode, type ResolvedSocketFactory, type SocketLike, type WebSocketCtor } from "./socket.js";
import { StreamEncoder } from "../wire/telemetry-stream.js";
import { decodeServerFrame, encodePingFrame, encodeRenewFrame, encodeTelemetryFrame, type ClientPoint } from "./wire.js";
import { TokenRenewal } from "./renewal.js";
import { loadZstdEncoder, type ZstdEncoder } from "./zstd.js";
import { CloseCode } from "../wire/close-codes.js";

export interface ClientOptions {
  /** Gateway URL, e.g. ws://127.0.0.1:8787; "/v1/connect" is appended when the path is empty. */
  url: string;
  /**
   * A JWT, or a function returning one: called on every connect, and before the session's token
   * expires to renew it in-band (the gateway closes a socket at exp with 4001 otherwise).
   */
  token: string | (() => string | Promise<string>);
  /** WebSocket constructor. Default: globalThis.WebSocket, else the `ws` package. */
  WebSocket?: WebSocketCtor;
  /** Set when the injected constructor is the `ws` package (enables the Authorization header). */
  nodeWs?: boolean;
  /** Where the token goes. Default: "auto" (header with `ws`, subprotocol otherwise). */
  auth?: AuthMode;
  /** zstd-compress telemetry frames when that makes them smaller. Default: false */
  compress?: boolean;
  /** Send batches column by column, delta-encoded (TelemetryColumns): smaller, especially compressed. Default: false */
  columnar?: boolean;
  /**
   * Send each value as a delta from its drone's previous report on the connection (TelemetryStream):
   * the smallest frames, above all for relays and for one-report frames. Needs a server that announces
   * stream_max_drones in its welcome (otherwise columnar is used). Default: false
   */
  stream?: boolean;
  /** zstd level. Default: 3 */
  zstdLevel?: number;
  /** Unsent points kept while disconnected or paused; the oldest are dropped beyond it. Default: 1000 (drone), 100000 (relay) */
  queueCapacity?: number;
  /** Keep-alive ping period, ms (0 = no pings). Default: 15000 */
  pingIntervalMs?: number;
  /** A connection silent this long (no frame, no pong) is dropped and reconnected, ms. Default: 3 × pingIntervalMs */
  idleTimeoutMs?: number;
  /** Reconnect after a drop. Default: true */
  reconnect?: boolean;
  /** Reconnect attempts in a row (without a welcome between) before giving up. Default: Infinity */
  maxReconnectAttempts?: number;
  backoff?: BackoffOptions;
  /** Do not send while the socket holds more than this many unsent bytes (backpressure). Default: 1048576 */
  maxBufferedBytes?: number;
  /** Clock, Unix ms; injectable for tests. Default: Date.now */
  now?: () => number;
}

export interface ClientStats {
  pointsSent: number;
  framesSent: number;
  /** Bytes on the wire, and before compression. */
  bytesSent: number;
  bytesUncompressed: number;
  droppedOverflow: number;
  droppedPaused: number;
  reconnects: number;
  queued: number;
}

export interface ClientEvents {
  welcome: WelcomeMessage;
  alert: AlertMessage;
  advisory: AdvisoryMessage;
  /** The server rejected a frame or point (the socket stays open unless a close follows). */
  serverError: ErrorMessage;
  rateLimit: RateLimitMessage;
  pong: PongMessage & { rttMs: number };
  /** The server took a renewed token (sent before the old one expired, when `token` is a function). */
  renewed: RenewedMessage;
  close: { code: number; reason: string; willReconnect: boolean; delayMs: number };
  /** Transport or decode trouble; informational, the client recovers by itself. */
  error: { error: unknown };
}

type State = "idle" | "connecting" | "open" | "waiting" | "closed";

/** A fleet that lost its gateway comes back spread over up to 30 s, not in lockstep. */
const CLIENT_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 30_000, jitter: 0.5 };

/** Defaults until the welcome says otherwise (config.ts's server defaults). */
const DEFAULT_WINDOW_MS = 50;
const DEFAULT_MAX_POINTS = 4096;
const DEFAULT_MAX_BYTES = 1024 * 1024;
/** After a 1008 (policy) close, reconnecting at once would repeat the abuse: wait at least this. */
const POLICY_CLOSE_MIN_DELAY_MS = 5000;

export abstract class BaseClient extends Emitter<ClientEvents> {
  protected readonly opts: ClientOptions;
  protected readonly outbox: Outbox;
  protected readonly now: () => number;
  private readonly backoff: Backoff;
  private factory: ResolvedSocketFactory | null = null;
  private zstd: ZstdEncoder | null = null;
  private sock: SocketLike | null = null;
  private readonly renewal: TokenRenewal;
  private state: State = "idle";
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private lastHeardMs = 0;
  private inbound: Promise<void> | null = null;
  private pingSeq = 0;
  private readonly pingsInFlight = new Map<number, number>();
  private countersBefore: SessionCounters | null = null;
  private countersNow: SessionCounters | null = null;
  /** This connection's TelemetryStream state (a fresh one per session). */
  private streamEncoder: StreamEncoder | null = null;
  /** The server's limits for the current session. */
  welcome: WelcomeMessage | null = null;
  /** Server clock minus client clock, ms, from the latest pong (NaN until one arrives). */
  clockOffsetMs = NaN;
  readonly stats: ClientStats = {
    pointsSent: 0,
    framesSent: 0,
    bytesSent: 0,
    bytesUncompressed: 0,
    droppedOverflow: 0,
    droppedPaused: 0,
    reconnects: 0,
    queued: 0,
  };

  constructor(opts: ClientOptions, defaultCapacity: number) {
    super();
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    this.backoff = createBackoff({ ...CLIENT_BACKOFF, ...opts.backoff });
    this.outbox = new Outbox(opts.queueCapacity ?? defaultCapacity);
    const fetchToken = typeof opts.token === "function" ? opts.token : null;
    this.renewal = new TokenRenewal(
      fetchToken,
      (t) => this.sendRenew(t),
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
    this.factory ??= await resolveSocketFactory(this.opts.WebSocket, this.opts.auth ?? "auto", this.opts.nodeWs);
    if (this.opts.compress) this.zstd ??= await loadZstdEncoder(this.opts.zstdLevel ?? 3);
    const welcomed = new Promise<WelcomeMessage>((resolve, reject) => {
      const offW = this.once("welcome", (w) => {
        offC();
        resolve(w);
      });
      const offC = this.on("close", (c) => {
        if (c.willReconnect) return;
        offW();
        offC();
        reject(new Error(`connection closed before welcome (code ${c.code}${c.reason ? `: ${c.reason}` : ""})`));
      });
    });
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
    const nonce = ++this.pingSeq;
    const result = new Promise<PongMessage & { rttMs: number }>((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no pong within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.on("pong", (p) => {
        if (p.nonce !== nonce) return;
        off();
        clearTimeout(timer);
        resolve(p);
      });
    });
    this.sendPing(nonce);
    return result;
  }

  /** Counters summed over every session of this client (from pongs: call ping() for fresh ones). */
  get counters(): SessionCounters {
    const a = this.countersBefore;
    const b = this.countersNow;
    const out = emptyCounters();
    for (const k of Object.keys(out) as (keyof SessionCounters)[]) out[k] = (a?.[k] ?? 0) + (b?.[k] ?? 0);
    return out;
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
    let token: string;
    try {
      token = typeof this.opts.token === "function" ? await this.opts.token() : this.opts.token;
    } catch (error) {
      this.emit("error", { error });
      this.onDrop(1006, "token unavailable");
      return;
    }
    if (this.state !== "connecting") return;
    let sock: SocketLike;
    try {
      sock = this.factory!.open(connectUrl(this.opts.url), token);
    } catch (error) {
      this.emit("error", { error });
      this.onDrop(1006, "socket constructor failed");
      return;
    }
    this.sock = sock;
    this.lastHeardMs = this.now();
    sock.onopen = () => this.startPings();
    sock.onmessage = (ev) => this.onMessage(ev.data);
    sock.onerror = (error) => this.emit("error", { error });
    sock.onclose = (ev) => {
      if (this.sock !== sock) return;
      this.sock = null;
      this.onDrop(ev.code, ev.reason);
    };
  }

  private onMessage(data: unknown): void {
    this.lastHeardMs = this.now();
    const bytes = messageBytes(data);
    if (bytes === null) return;
    // Keep frame order even if one arrives as a Blob (async read): later frames queue behind it.
    if (bytes instanceof Promise || this.inbound) {
      const prev = this.inbound ?? Promise.resolve();
      const next = prev.then(async () => this.handleFrame(await bytes)).catch((error) => this.emit("error", { error }));
      this.inbound = next;
      void next.then(() => {
        if (this.inbound === next) this.inbound = null;
      });
      return;
    }
    this.handleFrame(bytes);
  }

  private handleFrame(bytes: Uint8Array): void {
    let msg: ReturnType<typeof decodeServerFrame>;
    try {
      msg = decodeServerFrame(bytes);
    } catch (error) {
      this.emit("error", { error });
      return;
    }
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
        this.emit("alert", msg);
        break;
      case "advisory":
        this.emit("advisory", msg);
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
        const sent = this.pingsInFlight.get(msg.nonce);
        this.pingsInFlight.delete(msg.nonce);
        const rttMs = sent === undefined ? NaN : this.now() - sent;
        if (sent !== undefined) this.clockOffsetMs = msg.serverTimeMs - (sent + rttMs / 2);
        this.countersNow = msg.counters;
        this.emit("pong", { ...msg, rttMs });
        break;
      }
    }
  }

  private onDrop(code: number, reason: string): void {
    this.stopPings();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.welcome = null;
    this.streamEncoder = null;
    this.pingsInFlight.clear();
    // Counters are per session: bank this session's last known values before the next one starts.
    if (this.countersNow) {
      this.countersBefore = this.counters;
      this.countersNow = null;
    }
    if (this.state === "closed" || this.state === "idle") return;
    const max = this.opts.maxReconnectAttempts ?? Infinity;
    const willReconnect = (this.opts.reconnect ?? true) && this.backoff.attempts < max;
    let delayMs = 0;
    if (willReconnect) {
      delayMs = this.backoff.next();
      if (code === CloseCode.POLICY) delayMs = Math.max(delayMs, POLICY_CLOSE_MIN_DELAY_MS);
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
    const max = this.welcome.maxPointsPerFrame || DEFAULT_MAX_POINTS;
    const window = this.welcome.batchWindowMs || DEFAULT_WINDOW_MS;
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
    const w = this.welcome;
    if (!sock || !w || sock.readyState !== OPEN) return;
    const maxPoints = w.maxPointsPerFrame || DEFAULT_MAX_POINTS;
    const maxBytes = w.maxFrameBytes || DEFAULT_MAX_BYTES;
    const maxBuffered = this.opts.maxBufferedBytes ?? 1024 * 1024;
    while (sock.bufferedAmount <= maxBuffered) {
      const batch = this.outbox.take(maxPoints, this.now());
      if (batch.length === 0) break;
      this.sendBatch(sock, batch, maxBytes);
    }
    this.stats.droppedPaused = this.outbox.droppedPaused;
    this.stats.queued = this.outbox.size;
    if (this.outbox.size > 0) this.scheduleFlush();
  }

  private sendBatch(sock: SocketLike, batch: ClientPoint[], maxBytes: number): void {
    const stream = this.streamEncoder ?? undefined;
    const columnar = (this.opts.columnar ?? false) || (this.opts.stream ?? false);
    const plain = encodeTelemetryFrame(batch, { implicitDroneId: this.implicitDroneId(), columnar, stream });
    // The limit applies to compressed and decompressed sizes alike: split until the plain frame fits.
    if (plain.length > maxBytes && batch.length > 1) {
      const half = batch.length >> 1;
      this.sendBatch(sock, batch.slice(0, half), maxBytes);
      this.sendBatch(sock, batch.slice(half), maxBytes);
      return;
    }
    let bytes = plain;
    if (this.zstd && plain.length >= 128) {
      const z = this.zstd(plain);
      if (z.length < plain.length) bytes = z;
    }
    sock.send(bytes);
    // Only a frame handed to the socket moves the stream state; a drop resets it with the session.
    stream?.commit();
    this.stats.framesSent++;
    this.stats.pointsSent += batch.length;
    this.stats.bytesSent += bytes.length;
    this.stats.bytesUncompressed += plain.length;
  }

  private sendRenew(token: string): boolean {
    const sock = this.sock;
    if (!sock || sock.readyState !== OPEN) return false;
    sock.send(encodeRenewFrame(token));
    return true;
  }

  private sendPing(nonce: number): void {
    const sock = this.sock;
    if (!sock || sock.readyState !== OPEN) return;
    this.pingsInFlight.set(nonce, this.now());
    sock.send(encodePingFrame(nonce));
  }

  private startPings(): void {
    const every = this.opts.pingIntervalMs ?? 15_000;
    if (every <= 0) return;
    const idle = this.opts.idleTimeoutMs ?? 3 * every;
    this.stopPings();
    this.pingTimer = setInterval(() => {
      if (this.now() - this.lastHeardMs > idle) {
        // A half-open TCP connection never delivers a close: treat silence as a drop.
        const sock = this.sock;
        this.sock = null;
        if (sock) forceClose(sock);
        this.onDrop(4000, "idle timeout");
        return;
      }
      this.sendPing(++this.pingSeq);
    }, every);
  }

  private stopPings(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
    this.renewal.stop(); // every path that ends a session stops its pings: its renewal ends with them
  }

  private clearTimers(): void {
    this.stopPings();
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
    if (!sock) return;
    sock.onclose = null;
    sock.onmessage = null;
    try {
      sock.close(code, reason);
    } catch {
      forceClose(sock);
    }
  }
}

/** `ws` can terminate a dead socket at once; a browser socket only has close(). */
function forceClose(sock: SocketLike): void {
  sock.onclose = null;
  sock.onmessage = null;
  const s = sock as SocketLike & { terminate?: () => void };
  try {
    if (s.terminate) s.terminate();
    else s.close(4000, "idle timeout");
  } catch {
    // Already closed: nothing left to release.
  }
}

function connectUrl(url: string): string {
  const u = new URL(url);
  if (u.pathname === "" || u.pathname === "/") u.pathname = "/v1/connect";
  return u.toString();
}

export function emptyCounters(): SessionCounters {
  return { frames: 0, pointsReceived: 0, pointsAccepted: 0, pointsRejected: 0, pointsRateLimited: 0, pointsDeduped: 0, alertsDelivered: 0, pointsLost: 0 };
}
