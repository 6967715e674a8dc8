/**
 * Bearer JWT (HS256) verification with WebCrypto. A drone token's `sub` is its drone id; `role:
 * "relay"` may send any drone id; `role: "ops"` reads the ops endpoints. Tokens must carry `exp`: a
 * credential that never expires is not one an operator can revoke by waiting.
 */

export type Role = "drone" | "relay" | "ops";

export interface Principal {
  sub: string;
  role: Role;
  exp: number;
}

export type AuthResult = { ok: true; principal: Principal } | { ok: false; status: 401; error: string };

/** The WebSocket subprotocol clients name alongside `bearer.<jwt>` (browsers cannot set headers). */
export const SUBPROTOCOL = "airspace.v1";
const BEARER_PROTOCOL_PREFIX = "bearer.";

const keyCache = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let k = keyCache.get(secret);
  if (!k) {
    k = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    if (keyCache.size > 4) keyCache.clear(); // secrets rotate rarely; plain data only at module level
    keyCache.set(secret, k);
  }
  return k;
}

function b64urlDecode(s: string): Uint8Array {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

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

export async function verifyJwt(token: string, secret: string, nowS: number = Date.now() / 1000): Promise<AuthResult> {
  const fail = (error: string): AuthResult => ({ ok: false, status: 401, error });
  const parts = token.split(".");
  if (parts.length !== 3) return fail("malformed token");
  let header: { alg?: unknown; typ?: unknown };
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(b64urlDecode(parts[0]!)));
    claims = JSON.parse(new TextDecoder().decode(b64urlDecode(parts[1]!)));
  } catch {
    return fail("malformed token");
  }
  // JSON.parse("null") succeeds: a header or body that is not an object is malformed, not a crash.
  if (typeof header !== "object" || header === null || typeof claims !== "object" || claims === null) return fail("malformed token");
  if (header.alg !== "HS256") return fail("token must be signed with HS256");
  let sig: Uint8Array;
  try {
    sig = b64urlDecode(parts[2]!);
  } catch {
    return fail("malformed token signature");
  }
  const key = await hmacKey(secret);
  const valid = await crypto.subtle.verify("HMAC", key, sig, new TextEncoder().encode(`${parts[0]}.${parts[1]}`));
  if (!valid) return fail("invalid token signature");
  if (typeof claims.exp !== "number") return fail("token has no exp claim");
  if (claims.exp <= nowS) return fail("token expired");
  if (typeof claims.nbf === "number" && claims.nbf > nowS + 30) return fail("token not yet valid");
  const role = claims.role ?? "drone";
  if (role !== "drone" && role !== "relay" && role !== "ops") return fail(`unknown role ${JSON.stringify(role)}`);
  // The same bound as a drone id on the wire: 1-64 bytes of UTF-8.
  if (typeof claims.sub !== "string" || claims.sub.length === 0 || new TextEncoder().encode(claims.sub).length > 64)
    return fail("token needs a sub of 1-64 bytes");
  return { ok: true, principal: { sub: claims.sub, role, exp: claims.exp } };
}
