/**
 * Opening the socket with `fetch` and `Upgrade: websocket`, the way a Cloudflare Worker (or Durable
 * Object) opens an outbound WebSocket: through its global `fetch` or a service binding. The upgraded
 * socket arrives in `response.webSocket`, already open, must be `accept()`ed and speaks EventTarget;
 * it is adapted to the SocketLike the client drives. A fetch can set headers, so the token may go in
 * `Authorization`.
 */
import type { SocketLike } from "./socket.js";

/** The answer to an upgrade request: `webSocket` is set (status 101) when the upgrade was accepted. */
export interface UpgradeResponse {
  readonly status: number;
  readonly webSocket?: unknown;
  text(): Promise<string>;
}

/** Anything with a Workers-style `fetch`: a Worker's `globalThis`, a service binding, a Durable Object stub. */
export interface FetcherLike {
  fetch(url: string, init: { headers: Record<string, string> }): Promise<UpgradeResponse>;
}

/** The socket a Workers upgrade returns (the subset used here). */
interface UpgradedSocket {
  accept(): void;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  readonly readyState: number;
  binaryType: string;
  readonly protocol?: string | null;
  addEventListener(type: string, listener: (ev: never) => void): void;
}

/** Longest part of a refused upgrade's body quoted in the error. */
const REFUSAL_CHARS = 200;

/** Upgrades `url` (ws or wss, asked over http or https) through `fetcher`, `auth` being the token's header(s). */
export async function fetchUpgrade(fetcher: FetcherLike, url: string, auth: Record<string, string>): Promise<SocketLike> {
  // fetch() takes http(s) URLs only; the Upgrade header makes it a WebSocket handshake.
  const target = url.replace(/^ws(s?):/i, "http$1:");
  const resp = await fetcher.fetch(target, { headers: { Upgrade: "websocket", ...auth } });
  if (resp.status !== 101 || !resp.webSocket) {
    const body = await resp.text().catch(() => "");
    throw new Error(`WebSocket upgrade refused: HTTP ${resp.status} ${body.slice(0, REFUSAL_CHARS)}`.trim());
  }
  return new UpgradedSocketAdapter(resp.webSocket as UpgradedSocket);
}

/** An upgraded Workers socket as a SocketLike: events forwarded to the on* handlers, accepted on start(). */
class UpgradedSocketAdapter implements SocketLike {
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;

  constructor(private readonly ws: UpgradedSocket) {
    // Blobs would force an async read per message (Workers deliver Blob by default since 2026-03-17).
    ws.binaryType = "arraybuffer";
    ws.addEventListener("message", (ev: { data: unknown }) => this.onmessage?.(ev));
    ws.addEventListener("close", (ev: { code: number; reason: string }) => this.onclose?.(ev));
    ws.addEventListener("error", (ev: unknown) => this.onerror?.(ev));
  }

  get binaryType(): string {
    return this.ws.binaryType;
  }

  set binaryType(t: string) {
    this.ws.binaryType = t;
  }

  get readyState(): number {
    return this.ws.readyState;
  }

  /** Workers sockets do not report it (their send() queues internally): no backpressure signal. */
  get bufferedAmount(): number {
    return 0;
  }

  get protocol(): string {
    return this.ws.protocol ?? "";
  }

  send(data: Uint8Array): void {
    this.ws.send(data);
  }

  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }

  /** Accepted only now, with the client's handlers attached, so no early frame (the welcome) is missed; open at once. */
  start(): void {
    this.ws.accept();
    this.onopen?.({});
  }
}
