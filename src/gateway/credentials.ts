/**
 * Token verification: which keys may sign (the HS256 secret of tokens without a `kid`, and a JWKS of
 * keys with one: HS256 secrets, ES256 and EdDSA public keys), and what a token must say to be a
 * principal (aud, exp, a known role, a fleet, a sub; not revoked). Signatures are jose's
 * (`compactVerify`, algorithms pinned per key, so `alg: none` or an HS256 token signed with a public
 * key never verifies); the claims are checked here, strictly. docs/security.md.
 */
import { compactVerify, errors, importJWK, type JWK } from "jose";
import type { AuthSettings } from "./auth-settings.js";
import { FLEET_ALL, isFleetName } from "../wire/fleet-key.js";
import { MAX_ID_BYTES, MAX_TOKEN_DRONES, NBF_LEEWAY_S } from "../tunables.js";
import type { Principal, Role } from "./auth.js";

export type AuthResult = { ok: true; principal: Principal } | { ok: false; status: 401; error: string };

type Alg = "HS256" | "ES256" | "EdDSA";
interface VerifyKey {
  alg: Alg;
  key: CryptoKey | Uint8Array;
}

/** The keys of one configuration, imported once. */
export interface KeyRing {
  /** For tokens without a `kid`: AIRSPACE_JWT_SECRET (HS256), or none. */
  legacy: VerifyKey | null;
  byKid: ReadonlyMap<string, VerifyKey>;
  audience: string;
  revokedJti: ReadonlySet<string>;
}

/** A key set that cannot be used: the message says which key and why. */
export class KeyConfigError extends Error {
  override name = "KeyConfigError";
}

const ALGS: readonly Alg[] = ["HS256", "ES256", "EdDSA"];
const encoder = new TextEncoder();
const ringCache = new Map<string, Promise<KeyRing>>();

/** The key ring for these settings, imported once per distinct configuration (they change on deploys only). */
export function keyRing(s: AuthSettings): Promise<KeyRing> {
  const cacheKey = JSON.stringify([s.secret, s.keys, s.audience, [...s.revokedJti]]);
  let r = ringCache.get(cacheKey);
  if (!r) {
    r = importRing(s);
    if (ringCache.size > 4) ringCache.clear(); // plain data only at module level, and little of it
    ringCache.set(cacheKey, r);
    r.catch(() => ringCache.delete(cacheKey));
  }
  return r;
}

async function importRing(s: AuthSettings): Promise<KeyRing> {
  const byKid = new Map<string, VerifyKey>();
  if (s.keys !== "") {
    let jwks: { keys?: unknown };
    try {
      jwks = JSON.parse(s.keys);
    } catch {
      throw new KeyConfigError('AIRSPACE_JWT_KEYS is not JSON (a JWKS: {"keys": [...]})');
    }
    if (!Array.isArray(jwks?.keys)) throw new KeyConfigError('AIRSPACE_JWT_KEYS must be a JWKS: {"keys": [...]}');
    for (const jwk of jwks.keys as JWK[]) {
      const kid = jwk?.kid;
      if (typeof kid !== "string" || kid === "") throw new KeyConfigError("every key of AIRSPACE_JWT_KEYS needs a kid");
      if (byKid.has(kid)) throw new KeyConfigError(`AIRSPACE_JWT_KEYS has two keys with kid ${kid}`);
      byKid.set(kid, await importOne(jwk, kid));
    }
  }
  const legacy: VerifyKey | null = s.secret ? { alg: "HS256", key: encoder.encode(s.secret) } : null;
  return { legacy, byKid, audience: s.audience, revokedJti: s.revokedJti };
}

async function importOne(jwk: JWK, kid: string): Promise<VerifyKey> {
  const alg: Alg | null =
    jwk.kty === "oct" ? "HS256" : jwk.kty === "EC" && jwk.crv === "P-256" ? "ES256" : jwk.kty === "OKP" && jwk.crv === "Ed25519" ? "EdDSA" : null;
  if (alg === null) throw new KeyConfigError(`key ${kid}: only oct (HS256), EC P-256 (ES256) and OKP Ed25519 (EdDSA) keys are accepted`);
  if (jwk.alg !== undefined && jwk.alg !== alg) throw new KeyConfigError(`key ${kid}: alg ${jwk.alg} does not fit a ${jwk.kty} key (expected ${alg})`);
  if (alg !== "HS256" && jwk.d !== undefined) throw new KeyConfigError(`key ${kid}: a private key; give the public key only`);
  try {
    const key = await importJWK({ ...jwk, alg }, alg);
    return { alg, key };
  } catch (e) {
    throw new KeyConfigError(`key ${kid}: ${(e as Error).message}`);
  }
}

/** Verifies `token` against the ring at `nowS` (Unix seconds); never throws. */
export async function verifyToken(token: string, ring: KeyRing, nowS: number = Date.now() / 1000): Promise<AuthResult> {
  const fail = (error: string): AuthResult => ({ ok: false, status: 401, error });
  if (token.split(".").length !== 3) return fail("malformed token");
  let payload: Uint8Array;
  try {
    const r = await compactVerify(
      token,
      (header) => {
        const kid = header.kid;
        const k = kid === undefined ? ring.legacy : ring.byKid.get(kid);
        if (!k) throw new UnknownKey(kid === undefined ? "token has no kid and the server has no AIRSPACE_JWT_SECRET" : "unknown key id (kid)");
        if (header.alg !== k.alg) throw new UnknownKey(`token algorithm ${String(header.alg)} does not match its key (${k.alg})`);
        return k.key;
      },
      { algorithms: [...ALGS] },
    );
    payload = r.payload;
  } catch (e) {
    if (e instanceof UnknownKey) return fail(e.message);
    if (e instanceof errors.JWSSignatureVerificationFailed) return fail("invalid token signature");
    if (e instanceof errors.JOSEAlgNotAllowed) return fail("token algorithm not allowed (HS256, ES256 or EdDSA)");
    return fail("malformed token");
  }
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    return fail("malformed token");
  }
  if (typeof claims !== "object" || claims === null || Array.isArray(claims)) return fail("malformed token");
  return checkClaims(claims, ring, nowS);
}

class UnknownKey extends Error {}

/** What a verified token must say to be a principal. */
export function checkClaims(c: Record<string, unknown>, ring: Pick<KeyRing, "audience" | "revokedJti">, nowS: number): AuthResult {
  const fail = (error: string): AuthResult => ({ ok: false, status: 401, error });
  if (typeof c.exp !== "number") return fail("token has no exp claim");
  if (c.exp <= nowS) return fail("token expired");
  if (typeof c.nbf === "number" && c.nbf > nowS + NBF_LEEWAY_S) return fail("token not yet valid");
  const aud = c.aud;
  if (!(aud === ring.audience || (Array.isArray(aud) && aud.includes(ring.audience)))) return fail(`token audience must include ${ring.audience}`);
  const role = c.role;
  if (role === undefined) return fail("token has no role");
  if (role !== "drone" && role !== "relay" && role !== "ops") return fail(`unknown role ${JSON.stringify(role)}`);
  if (typeof c.sub !== "string" || c.sub.length === 0 || encoder.encode(c.sub).length > MAX_ID_BYTES) return fail("token needs a sub of 1-64 bytes");
  const fleet = c.fleet;
  if (typeof fleet !== "string" || !(isFleetName(fleet) || (fleet === FLEET_ALL && role === "ops")))
    return fail('token needs a fleet: 1-32 of A-Z a-z 0-9 . _ - ("*" for ops tokens only)');
  const jti = c.jti === undefined ? null : c.jti;
  if (jti !== null && (typeof jti !== "string" || jti.length === 0 || jti.length > 128)) return fail("token jti must be a string of 1-128 characters");
  if (jti !== null && ring.revokedJti.has(jti)) return fail("token revoked");
  const scope = relayScope(c, role);
  if (typeof scope === "string") return fail(scope);
  return { ok: true, principal: { sub: c.sub, role: role as Role, fleet, exp: c.exp, jti, ...scope } };
}

/** A relay's optional limits on the drones it may send: an allow-list (`drones`) and/or an id `prefix`. */
function relayScope(c: Record<string, unknown>, role: string): { drones: readonly string[] | null; prefix: string | null } | string {
  const { drones, prefix } = c;
  if (role !== "relay") return drones === undefined && prefix === undefined ? { drones: null, prefix: null } : "only relay tokens carry drones or prefix";
  if (
    drones !== undefined &&
    !(
      Array.isArray(drones) &&
      drones.length > 0 &&
      drones.length <= MAX_TOKEN_DRONES &&
      drones.every((d) => typeof d === "string" && d.length > 0 && encoder.encode(d).length <= MAX_ID_BYTES)
    )
  )
    return `token drones must list 1-${MAX_TOKEN_DRONES} drone ids of 1-64 bytes`;
  if (prefix !== undefined && !(typeof prefix === "string" && prefix.length > 0 && encoder.encode(prefix).length <= MAX_ID_BYTES))
    return "token prefix must be 1-64 bytes";
  return { drones: (drones as string[] | undefined) ?? null, prefix: (prefix as string | undefined) ?? null };
}
