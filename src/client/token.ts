/**
 * HS256 JWTs for drones, relays and tests, signed with WebCrypto (`crypto.subtle`), so the same code
 * runs in Node 20+, browsers and Workers. Never ship the secret to a drone: mint on a backend.
 */

export interface TokenClaims {
  /** Drone id for a drone token; any label for a relay. */
  sub: string;
  /** "relay" lets the socket send any drone id; absent (or "drone") for a drone token. */
  role?: "drone" | "relay";
  /** Issued-at, Unix seconds. Default: now. */
  iat?: number;
  /** Expiry, Unix seconds. Default: iat + ttlS. */
  exp?: number;
  [claim: string]: unknown;
}

export interface MintOptions {
  /** Lifetime when `exp` is not given, seconds. Default: 3600 */
  ttlS?: number;
  /** Clock, Unix ms. Default: Date.now */
  now?: () => number;
}

const encoder = new TextEncoder();

/** base64url without padding (RFC 7515 §2). */
export function base64url(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]!);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function subtle(): SubtleCrypto {
  const c = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto;
  if (!c?.subtle) throw new Error("WebCrypto (crypto.subtle) is not available in this runtime");
  return c.subtle;
}

/** Signs `claims` as an HS256 JWT with `secret` (UTF-8). */
export async function mintToken(secret: string, claims: TokenClaims, opts: MintOptions = {}): Promise<string> {
  if (!secret) throw new Error("mintToken: empty secret");
  const iat = claims.iat ?? Math.floor((opts.now ?? Date.now)() / 1000);
  const body = { ...claims, iat, exp: claims.exp ?? iat + (opts.ttlS ?? 3600) };
  const head = base64url(encoder.encode(JSON.stringify({ alg: "HS256", typ: "JWT" })));
  const payload = base64url(encoder.encode(JSON.stringify(body)));
  const key = await subtle().importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const sig = await subtle().sign("HMAC", key, encoder.encode(`${head}.${payload}`));
  return `${head}.${payload}.${base64url(new Uint8Array(sig))}`;
}
