/**
 * Opening the WebSocket: through a given `fetcher` (a Worker's fetch with Upgrade, fetch-socket.ts), or
 * `globalThis.WebSocket` where it exists (browsers, Node 22+), else the `ws` package, imported lazily
 * so a browser bundle never pulls it in. Also where the bearer token goes: a header when the
 * implementation allows one, the `bearer.<jwt>` subprotocol otherwise.
 */
import { type FetcherLike, fetchUpgrade } from "./fetch-socket.js";

/** The subset of the WHATWG WebSocket this library uses; both `ws` and browsers satisfy it. */
export interface SocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  readonly protocol: string;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  /** Called once the client's handlers are attached: a socket from a Workers upgrade is accepted then (and is open at once). */
  start?(): void;
}

/** WHATWG readyState values. */
export const OPEN = 1;

/** The subprotocol the server answers with; the token rides in a second, `bearer.<jwt>`. */
export const PROTOCOL = "airspace.v1";

/** A WebSocket constructor: the WHATWG shape, optionally with `ws`'s third argument. */
export type WebSocketCtor = new (url: string, protocols?: string | string[], options?: { headers?: Record<string, string>; maxPayload?: number }) => unknown;

/**
 * How the token is presented. "header": `Authorization: Bearer` (only `ws` and a `fetcher` can set
 * headers); "protocol": the two subprotocols (what browsers must use); "auto": header with `ws` or a
 * `fetcher`, else protocol.
 */
export type AuthMode = "auto" | "header" | "protocol";

export interface ResolvedSocketFactory {
  open(url: string, token: string): SocketLike | Promise<SocketLike>;
  /** True when this implementation is `ws` (headers possible). */
  readonly isNodeWs: boolean;
}

/** Largest incoming frame we let `ws` buffer: the protocol's 1 MiB cap plus slack. */
const MAX_PAYLOAD = 2 * 1024 * 1024;

/** How the client asked for its sockets (ClientOptions' fields of the same names). */
export interface SocketChoice {
  WebSocket?: WebSocketCtor;
  nodeWs?: boolean;
  auth?: AuthMode;
  fetcher?: FetcherLike;
}

/**
 * Picks the WebSocket implementation. A `fetcher` wins (Workers); then an injected constructor, with
 * `nodeWs` saying whether it is the `ws` package (so headers can be used); otherwise the global one,
 * otherwise `ws`.
 */
export async function resolveSocketFactory(choice: SocketChoice): Promise<ResolvedSocketFactory> {
  const { WebSocket: injected, nodeWs, auth = "auto", fetcher } = choice;
  if (fetcher) {
    if (injected) throw new Error("give either a WebSocket constructor or a fetcher, not both");
    const viaProtocol = auth === "protocol";
    return {
      isNodeWs: false,
      open: (url, token) =>
        fetchUpgrade(fetcher, url, viaProtocol ? { "Sec-WebSocket-Protocol": `${PROTOCOL}, bearer.${token}` } : { Authorization: `Bearer ${token}` }),
    };
  }
  let Ctor: WebSocketCtor;
  let isNodeWs: boolean;
  if (injected) {
    Ctor = injected;
    isNodeWs = nodeWs ?? false;
  } else if (typeof (globalThis as { WebSocket?: unknown }).WebSocket === "function") {
    Ctor = (globalThis as unknown as { WebSocket: WebSocketCtor }).WebSocket;
    isNodeWs = false;
  } else {
    const mod = (await import("ws")) as unknown as { default?: WebSocketCtor; WebSocket?: WebSocketCtor };
    const found = mod.WebSocket ?? mod.default;
    if (!found) throw new Error("no WebSocket implementation: install the `ws` package on Node 20");
    Ctor = found;
    isNodeWs = true;
  }
  const useHeader = auth === "header" || (auth === "auto" && isNodeWs);
  if (auth === "header" && !isNodeWs) throw new Error('auth "header" needs the `ws` package (pass nodeWs: true with an injected ws constructor) or a fetcher');
  return {
    isNodeWs,
    open(url: string, token: string): SocketLike {
      let sock: unknown;
      if (useHeader) sock = new Ctor(url, [], { headers: { Authorization: `Bearer ${token}` }, maxPayload: MAX_PAYLOAD });
      else if (isNodeWs) sock = new Ctor(url, [PROTOCOL, `bearer.${token}`], { maxPayload: MAX_PAYLOAD });
      else sock = new Ctor(url, [PROTOCOL, `bearer.${token}`]);
      const s = sock as SocketLike;
      // Blobs would force an async read per message (and arrive as Blob in Workers since 2026-03-17).
      s.binaryType = "arraybuffer";
      return s;
    },
  };
}

/**
 * The bytes of a message event's data: synchronously for ArrayBuffer / views (the usual case, as we set
 * binaryType), a promise for a Blob (a browser that ignored binaryType), null for text frames.
 */
export function messageBytes(data: unknown): Uint8Array | Promise<Uint8Array> | null {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (typeof Blob !== "undefined" && data instanceof Blob) return data.arrayBuffer().then((b) => new Uint8Array(b));
  return null;
}

/** `ws` can terminate a dead socket at once; a browser socket only has close(). */
export function forceClose(sock: SocketLike): void {
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

/** The gateway's connect URL: "/v1/connect" when `url` has no path. */
/**
 * Resolves the token (a function is asked anew on every connect) and opens the socket with it; what
 * failed otherwise, for the caller to report and retry.
 */
export async function openSocket(
  factory: ResolvedSocketFactory,
  url: string,
  token: string | (() => string | Promise<string>),
): Promise<{ ok: true; sock: SocketLike } | { ok: false; error: unknown; reason: string }> {
  let t: string;
  try {
    t = typeof token === "function" ? await token() : token;
  } catch (error) {
    return { ok: false, error, reason: "token unavailable" };
  }
  try {
    return { ok: true, sock: await factory.open(connectUrl(url), t) };
  } catch (error) {
    return { ok: false, error, reason: "socket could not be opened" };
  }
}

/** Closes a socket this client is done with: its late events are no news any more. */
export function closeQuietly(sock: SocketLike, code: number, reason: string): void {
  sock.onclose = null;
  sock.onmessage = null;
  try {
    sock.close(code, reason);
  } catch {
    forceClose(sock);
  }
}

export function connectUrl(url: string): string {
  const u = new URL(url);
  if (u.pathname === "" || u.pathname === "/") u.pathname = "/v1/connect";
  return u.toString();
}
