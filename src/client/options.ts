/**
 * What a client is configured with, what it counts and what it tells its listeners: the public
 * shapes of DroneClient and RelayClient (base.ts runs the connection).
 */
import type { BackoffOptions } from "../link/backoff.js";
import type { Emitter } from "./emitter.js";
import type { AdvisoryMessage, AlertMessage, ErrorMessage, PongMessage, RateLimitMessage, RenewedMessage, WelcomeMessage } from "./messages.js";
import type { FetcherLike } from "./fetch-socket.js";
import type { AuthMode, WebSocketCtor } from "./socket.js";

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
  /**
   * Open the socket with `fetch` and `Upgrade: websocket` through this instead of a WebSocket
   * constructor: how a Cloudflare Worker connects (`globalThis`, a service binding, a Durable Object
   * stub); the upgraded `response.webSocket` is accepted and used. Default: none
   */
  fetcher?: FetcherLike;
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

export function emptyStats(): ClientStats {
  return { pointsSent: 0, framesSent: 0, bytesSent: 0, bytesUncompressed: 0, droppedOverflow: 0, droppedPaused: 0, reconnects: 0, queued: 0 };
}

/** A fleet that lost its gateway comes back spread over up to 30 s, not in lockstep. */
export const CLIENT_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 30_000, jitter: 0.5 };

/** Limits assumed until the welcome says otherwise (config.ts's server defaults). */
export const DEFAULT_WINDOW_MS = 50;
export const DEFAULT_MAX_POINTS = 4096;
export const DEFAULT_MAX_BYTES = 1024 * 1024;
/** After a 1008 (policy) close, reconnecting at once would repeat the abuse: wait at least this. */
export const POLICY_CLOSE_MIN_DELAY_MS = 5000;

/** Resolves on the next welcome; rejects on a close after which the client will not reconnect. */
export function nextWelcome(client: Emitter<ClientEvents>): Promise<WelcomeMessage> {
  return new Promise<WelcomeMessage>((resolve, reject) => {
    const offW = client.once("welcome", (w) => {
      offC();
      resolve(w);
    });
    const offC = client.on("close", (c) => {
      if (c.willReconnect) return;
      offW();
      offC();
      reject(new Error(`connection closed before welcome (code ${c.code}${c.reason ? `: ${c.reason}` : ""})`));
    });
  });
}

/** Resolves with the pong answering ping `nonce`; rejects after `timeoutMs`. */
export function pongFor(client: Emitter<ClientEvents>, nonce: number, timeoutMs: number): Promise<PongMessage & { rttMs: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no pong within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = client.on("pong", (p) => {
      if (p.nonce !== nonce) return;
      off();
      clearTimeout(timer);
      resolve(p);
    });
  });
}
