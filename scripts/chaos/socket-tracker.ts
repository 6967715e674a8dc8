/**
 * Client sockets a chaos run can drop from the client side: a `ws` subclass per named client (handed
 * to the client library as its WebSocket constructor) remembers the open sockets, and `drop` ends
 * them as a radio link would, abruptly (no close frame) or with a close, while the library holds
 * its queue and reconnects by itself.
 */
import { WebSocket } from "ws";
import type { WebSocketCtor } from "../../src/client/socket.js";

export class SocketTracker {
  private readonly open = new Map<string, Set<WebSocket>>();
  /** Sockets ended by drop(). */
  dropped = 0;

  /** The WebSocket constructor for client `name` (several connections may share a name). */
  ctorFor(name: string): WebSocketCtor {
    const sockets = this.open.get(name) ?? new Set<WebSocket>();
    this.open.set(name, sockets);
    return class TrackedSocket extends WebSocket {
      constructor(url: string, protocols?: string | string[], options?: WebSocket.ClientOptions) {
        super(url, protocols, options);
        sockets.add(this);
        this.once("close", () => sockets.delete(this));
      }
    };
  }

  /** Ends every open socket of `name`; how many there were. */
  drop(name: string, abrupt: boolean): number {
    let n = 0;
    for (const ws of this.open.get(name) ?? []) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      // 4000: the code the library itself uses for a dead link (src/client/socket.ts forceClose).
      if (abrupt) ws.terminate();
      else ws.close(4000, "chaos: socket dropped");
      n++;
    }
    this.dropped += n;
    return n;
  }
}
