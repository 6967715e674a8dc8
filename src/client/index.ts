/**
 * The airspace client library: DroneClient (one drone per socket), RelayClient (many drones over one),
 * the pure frame codec, and token minting. Node 20+, browsers and Workers (`fetcher`); `ws` and zstd
 * load only when needed.
 */
export { BaseClient, type ClientEvents, type ClientOptions, type ClientStats } from "./base.js";
export { DroneClient, type DroneClientOptions } from "./drone.js";
export { RelayClient, type RelayClientOptions } from "./relay.js";
export { Emitter, type Listener } from "./emitter.js";
export { createBackoff, type Backoff, type BackoffOptions } from "../link/backoff.js";
export { Outbox } from "./outbox.js";
export { PROTOCOL, type AuthMode, type SocketLike, type WebSocketCtor } from "./socket.js";
export type { FetcherLike, UpgradeResponse } from "./fetch-socket.js";
export {
  InvalidPointError,
  MAX_SERVER_FRAME_BYTES,
  checkPoint,
  decodeServerFrame,
  decodeTelemetryFrame,
  encodePingFrame,
  encodeTelemetryFrame,
  fromWirePoint,
  toWirePoint,
  type ClientPoint,
  type EncodeOptions,
} from "./wire.js";
export type * from "./messages.js";
export { isZstd, loadZstdEncoder, ZSTD_MAGIC, type ZstdEncoder } from "./zstd.js";
export { base64url, mintToken, type MintOptions, type TokenClaims } from "./token.js";
