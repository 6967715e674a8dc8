/**
 * Who a request speaks for, and where its token is. A token (src/gateway/credentials.ts verifies it)
 * names a role, a fleet and a subject: a drone token's `sub` is its drone id and it sends only that
 * drone; a relay sends drones of its fleet (all, or those its `drones` / `prefix` claims allow); an ops
 * token reads the ops endpoints for its fleet, or for every fleet with `fleet: "*"`. docs/security.md.
 */

export type Role = "drone" | "relay" | "ops";

export interface Principal {
  sub: string;
  role: Role;
  /** The token's fleet; "*" only on an ops token (every fleet). */
  fleet: string;
  /** Expiry, Unix seconds: the socket closes then unless the client renews in-band. */
  exp: number;
  /** The token id, for revocation and the per-token connection cap; null when the token has none. */
  jti: string | null;
  /** A relay's allow-list of drone ids, or null (any drone of its fleet). */
  drones: readonly string[] | null;
  /** A relay's drone id prefix, or null. */
  prefix: string | null;
}

/** The WebSocket subprotocol clients name alongside `bearer.<jwt>` (browsers cannot set headers). */
export const SUBPROTOCOL = "airspace.v1";
const BEARER_PROTOCOL_PREFIX = "bearer.";

/** The token from `Authorization: Bearer …`, else from `Sec-WebSocket-Protocol: airspace.v1, bearer.…`. */
export function extractToken(headers: Headers): { token: string; viaProtocol: boolean } | null {
  const auth = headers.get("Authorization");
  if (auth) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth.trim());
    return m ? { token: m[1]!, viaProtocol: false } : null;
  }
  const protocols = headers.get("Sec-WebSocket-Protocol");
  if (protocols) {
    for (const p of protocols.split(",")) {
      const t = p.trim();
      if (t.startsWith(BEARER_PROTOCOL_PREFIX)) return { token: t.slice(BEARER_PROTOCOL_PREFIX.length), viaProtocol: true };
    }
  }
  return null;
}

/** The subprotocol to answer with: airspace.v1 when the client offered it, else none (RFC 6455 §4.2.2). */
export function chosenSubprotocol(headers: Headers): string | null {
  const offered = headers.get("Sec-WebSocket-Protocol");
  if (!offered) return null;
  return offered.split(",").some((p) => p.trim() === SUBPROTOCOL) ? SUBPROTOCOL : null;
}
