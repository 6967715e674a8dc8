/**
 * HS256 JWTs for drones, relays and tests, signed with WebCrypto (`crypto.subtle`), so the same code
 * runs in Node 20+, browsers and Workers. Never ship the secret to a drone: mint on a backend.
 */

export interface TokenClaims {
  /** Drone id for a drone token; any label for a relay. */
  sub: string;
  /** The fleet the token speaks for: its drones' ids are ids within it ("*" only for an ops token). */
  fleet: string;
  /** "relay" sends drones of its fleet, "ops" reads the ops endpoints; absent: written as "drone". */
  role?: "drone" | "relay" | "ops";
  /** Audience. Default: "airspace" (the gateway's AIRSPACE_JWT_AUDIENCE default). */
  aud?: string | string[];
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
  /** Key id for the header, when the gateway knows the secret under a kid (AIRSPACE_JWT_KEYS). */
  kid?: string;
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

/** Signs `claims` as an HS256 JWT with `secret` (UTF-8), with a role ("drone" when absent) and an audience ("airspace"). */
export async function mintToken(secret: string, claims: TokenClaims, opts: MintOptions = {}): Promise<string> {
  if (!secret) throw new Error("mintToken: empty secret");
  const iat = claims.iat ?? Math.floor((opts.now ?? Date.now)() / 1000);
  const body = { ...claims, role: claims.role ?? "drone", aud: claims.aud ?? "airspace", iat, exp: claims.exp ?? iat + (opts.ttlS ?? 3600) };
  const head = base64url(encoder.encode(JSON.stringify({ alg: "HS256", typ: "JWT", ...(opts.kid ? { kid: opts.kid } : {}) })));
  const payload = base64url(encoder.encode(JSON.stringify(body)));
  const key = await subtle().importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const sig = await subtle().sign("HMAC", key, encoder.encode(`${head}.${payload}`));
  return `${head}.${payload}.${base64url(new Uint8Array(sig))}`;
}
