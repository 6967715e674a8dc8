/**
 * The bench's client sockets offer no permessage-deflate, as production negotiates none
 * (wrangler.toml: `no_web_socket_compression`). Locally Miniflare's entry Worker would accept the
 * extension whatever our flags say, and each socket would then keep a zlib context and compress every
 * frame on both ends: memory and CPU that a deployed edge does not spend (docs/platform.md).
 */
import WebSocket, { type ClientOptions } from "ws";

export class PlainWebSocket extends WebSocket {
  constructor(url: string, protocols?: string | string[], options?: ClientOptions) {
    super(url, protocols, { ...options, perMessageDeflate: false });
  }
}
