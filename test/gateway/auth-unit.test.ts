// Pure tests of src/gateway/auth.ts and credentials.ts. They live under test/gateway/ and so run inside
// workerd, which is also where the modules run in production (WebCrypto, atob/btoa).
import { describe, expect, it } from "vitest";
import { base64url, mintToken } from "../../src/client/token.js";
import { chosenSubprotocol, extractToken, SUBPROTOCOL } from "../../src/gateway/auth.js";
import { type AuthResult, keyRing, verifyToken } from "../../src/gateway/credentials.js";
import { signJwt, signRaw as signRawWith } from "../helpers/jwt.js";

const SECRET = "unit-test-secret";
const NOW = 1_767_000_000; // Unix seconds

/** The legacy path: one HS256 secret for tokens without a kid, audience "airspace". */
async function verifyJwt(token: string, secret: string, now?: number): Promise<AuthResult> {
  const ring = await keyRing({ environment: "local", audience: "airspace", secret, keys: "", revokedJti: new Set() });
  return verifyToken(token, ring, now);
}

function claims(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { sub: "d-7", role: "drone", fleet: "acme", aud: "airspace", iat: NOW - 10, exp: NOW + 3600, ...over };
}

const principal = (over: Record<string, unknown> = {}) => ({
  sub: "d-7",
  role: "drone",
  fleet: "acme",
  exp: NOW + 3600,
  jti: null,
  drones: null,
  prefix: null,
  ...over,
});

const b64urlEncode = (x: string | Uint8Array) => base64url(typeof x === "string" ? new TextEncoder().encode(x) : x);

function signRaw(header: unknown, body: unknown, secret = SECRET): Promise<string> {
  return signRawWith(header, body, secret);
}

async function errorOf(token: string, secret = SECRET, now = NOW): Promise<string> {
  const r = await verifyJwt(token, secret, now);
  expect(r.ok).toBe(false);
  if (r.ok) return "";
  expect(r.status).toBe(401);
  return r.error;
}

describe("verifyJwt", () => {
  it("accepts an HS256 token and returns its principal", async () => {
    const r = await verifyJwt(await signJwt(claims(), SECRET), SECRET, NOW);
    expect(r).toEqual({ ok: true, principal: principal() });
  });

  it("accepts relay and ops roles, and refuses a token without a role", async () => {
    for (const role of ["relay", "ops"] as const) {
      const r = await verifyJwt(await signJwt(claims({ role }), SECRET), SECRET, NOW);
      expect(r.ok && r.principal.role).toBe(role);
    }
    const { role: _, ...noRole } = claims();
    expect(await errorOf(await signJwt(noRole, SECRET))).toBe("token has no role");
  });

  it("rejects a token signed with another secret", async () => {
    expect(await errorOf(await signJwt(claims(), "another-secret"))).toMatch(/signature/);
  });

  it("rejects a token whose claims were altered after signing", async () => {
    const [h, , s] = (await signJwt(claims(), SECRET)).split(".");
    const forged = `${h}.${b64urlEncode(JSON.stringify(claims({ role: "relay" })))}.${s}`;
    expect(await errorOf(forged)).toMatch(/signature/);
  });

  it("rejects alg none, with or without a signature", async () => {
    const h = b64urlEncode(JSON.stringify({ alg: "none", typ: "JWT" }));
    const b = b64urlEncode(JSON.stringify(claims()));
    expect(await errorOf(`${h}.${b}.`)).toMatch(/algorithm not allowed/);
    expect(await errorOf(await signRaw({ alg: "none", typ: "JWT" }, claims()))).toMatch(/algorithm not allowed/);
  });

  it("rejects an HS512 (or lower-case hs256) header even with a valid HS256 signature", async () => {
    expect(await errorOf(await signRaw({ alg: "HS512", typ: "JWT" }, claims()))).toMatch(/algorithm not allowed/);
    expect(await errorOf(await signRaw({ alg: "hs256", typ: "JWT" }, claims()))).toMatch(/algorithm not allowed/);
    expect(await errorOf(await signRaw({ typ: "JWT" }, claims()))).toBe("malformed token");
  });

  it("rejects an expired token, including exp exactly now", async () => {
    expect(await errorOf(await signJwt(claims({ exp: NOW - 1 }), SECRET))).toMatch(/expired/);
    expect(await errorOf(await signJwt(claims({ exp: NOW }), SECRET))).toMatch(/expired/);
    expect((await verifyJwt(await signJwt(claims({ exp: NOW + 1 }), SECRET), SECRET, NOW)).ok).toBe(true);
  });

  it("rejects a token without a numeric exp", async () => {
    const { exp: _, ...noExp } = claims();
    expect(await errorOf(await signJwt(noExp, SECRET))).toMatch(/exp/);
    expect(await errorOf(await signJwt(claims({ exp: String(NOW + 3600) }), SECRET))).toMatch(/exp/);
  });

  it("rejects nbf in the future beyond 30 s of clock skew", async () => {
    expect(await errorOf(await signJwt(claims({ nbf: NOW + 31 }), SECRET))).toMatch(/not yet valid/);
    expect((await verifyJwt(await signJwt(claims({ nbf: NOW + 30 }), SECRET), SECRET, NOW)).ok).toBe(true);
    expect((await verifyJwt(await signJwt(claims({ nbf: NOW - 100 }), SECRET), SECRET, NOW)).ok).toBe(true);
  });

  it("rejects an unknown role", async () => {
    expect(await errorOf(await signJwt(claims({ role: "admin" }), SECRET))).toMatch(/unknown role "admin"/);
    expect(await errorOf(await signJwt(claims({ role: 1 }), SECRET))).toMatch(/unknown role/);
  });

  it("rejects a missing, empty, non-string or too long sub", async () => {
    const { sub: _, ...noSub } = claims();
    expect(await errorOf(await signJwt(noSub, SECRET))).toMatch(/sub/);
    expect(await errorOf(await signJwt(claims({ sub: "" }), SECRET))).toMatch(/sub/);
    expect(await errorOf(await signJwt(claims({ sub: 7 }), SECRET))).toMatch(/sub/);
    expect(await errorOf(await signJwt(claims({ sub: "x".repeat(65) }), SECRET))).toMatch(/sub/);
    expect((await verifyJwt(await signJwt(claims({ sub: "x".repeat(64) }), SECRET), SECRET, NOW)).ok).toBe(true);
  });

  it("rejects malformed tokens without throwing", async () => {
    const good = await signJwt(claims(), SECRET);
    const [h, b, s] = good.split(".") as [string, string, string];
    const malformed = [
      "",
      `${h}.${b}`, // two parts
      `${h}.${b}.${s}.x`, // four parts
      `${h}!.${b}.${s}`, // bad base64 in the header
      `${h}.${b}*.${s}`, // bad base64 in the claims
      `${b64urlEncode("{not json")}.${b}.${s}`,
      `${h}.${b64urlEncode("not json}")}.${s}`,
      `${h}.${b64urlEncode("[1,2]")}.${s}`, // claims not an object: signature fails first
      `${h}.${b}.${s}$`, // bad base64 in the signature
      `${h}.${b}.${s.slice(0, 10)}`, // short signature
    ];
    for (const t of malformed) {
      const r = await verifyJwt(t, SECRET, NOW);
      expect(r.ok, t).toBe(false);
      if (!r.ok) expect(r.status).toBe(401);
    }
    expect(await errorOf(`${h}.${b}`)).toBe("malformed token");
    expect(await errorOf(`${b64urlEncode("{not json")}.${b}.${s}`)).toBe("malformed token");
    expect(await errorOf(`${h}.${b}.${s}$`)).toMatch(/malformed token|invalid token signature/);
  });

  it("rejects a header or claims that are JSON null with 401 rather than throwing", async () => {
    // An unsigned "bnVsbA.e30.x" (header null) reaches header.alg before any signature check.
    const unsigned = `${b64urlEncode("null")}.${b64urlEncode("{}")}.x`;
    expect(await verifyJwt(unsigned, SECRET, NOW).catch((e: unknown) => e)).toMatchObject({ ok: false, status: 401 });
    expect(await verifyJwt(await signRaw("null", claims()), SECRET, NOW).catch((e: unknown) => e)).toMatchObject({ ok: false, status: 401 });
    expect(await verifyJwt(await signRaw({ alg: "HS256", typ: "JWT" }, "null"), SECRET, NOW).catch((e: unknown) => e)).toMatchObject({
      ok: false,
      status: 401,
    });
  });

  it("uses the current clock by default", async () => {
    const nowS = Math.floor(Date.now() / 1000);
    expect((await verifyJwt(await signJwt(claims({ exp: nowS + 600 }), SECRET), SECRET)).ok).toBe(true);
    expect((await verifyJwt(await signJwt(claims({ exp: nowS - 600 }), SECRET), SECRET)).ok).toBe(false);
  });

  it("verifies a token minted by the client library's mintToken", async () => {
    const drone = await mintToken(SECRET, { sub: "d-7", fleet: "acme" }, { now: () => NOW * 1000, ttlS: 600 });
    expect(await verifyJwt(drone, SECRET, NOW)).toEqual({ ok: true, principal: principal({ exp: NOW + 600 }) });
    const relay = await mintToken(SECRET, { sub: "ground-station-1", fleet: "acme", role: "relay" }, { now: () => NOW * 1000 });
    expect(await verifyJwt(relay, SECRET, NOW)).toEqual({ ok: true, principal: principal({ sub: "ground-station-1", role: "relay" }) });
    expect((await verifyJwt(drone, "another-secret", NOW)).ok).toBe(false);
    expect((await verifyJwt(drone, SECRET, NOW + 600)).ok).toBe(false);
  });

  it("verifies a mintToken token with non-ASCII claims", async () => {
    const t = await mintToken(SECRET, { sub: "Drohne-Zürich-🚁", fleet: "acme", note: "größer" }, { now: () => NOW * 1000 });
    const r = await verifyJwt(t, SECRET, NOW);
    expect(r.ok && r.principal.sub).toBe("Drohne-Zürich-🚁");
  });
});

describe("extractToken", () => {
  it("reads Authorization: Bearer, case-insensitively", () => {
    for (const scheme of ["Bearer", "bearer", "BEARER", "bEaReR"])
      expect(extractToken(new Headers({ Authorization: `${scheme} abc.def.ghi` }))).toEqual({ token: "abc.def.ghi", viaProtocol: false });
    expect(extractToken(new Headers({ Authorization: "  Bearer   abc.def.ghi  " }))).toEqual({ token: "abc.def.ghi", viaProtocol: false });
  });

  it("returns null for another scheme or a malformed Authorization header", () => {
    for (const auth of ["Basic dXNlcjpwYXNz", "Bearer", "Bearer a b", "Token abc", "abc.def.ghi"])
      expect(extractToken(new Headers({ Authorization: auth })), auth).toBeNull();
  });

  it("prefers Authorization over the subprotocol, even when Authorization is unusable", () => {
    const h = new Headers({ Authorization: "Bearer from-header", "Sec-WebSocket-Protocol": `${SUBPROTOCOL}, bearer.from-protocol` });
    expect(extractToken(h)).toEqual({ token: "from-header", viaProtocol: false });
    const basic = new Headers({ Authorization: "Basic x", "Sec-WebSocket-Protocol": `${SUBPROTOCOL}, bearer.from-protocol` });
    expect(extractToken(basic)).toBeNull();
  });

  it("reads the token from Sec-WebSocket-Protocol: airspace.v1, bearer.<jwt>", async () => {
    const jwt = await signJwt(claims(), SECRET);
    expect(SUBPROTOCOL).toBe("airspace.v1");
    expect(extractToken(new Headers({ "Sec-WebSocket-Protocol": `airspace.v1, bearer.${jwt}` }))).toEqual({ token: jwt, viaProtocol: true });
    expect(extractToken(new Headers({ "Sec-WebSocket-Protocol": `bearer.${jwt},airspace.v1` }))).toEqual({ token: jwt, viaProtocol: true });
    const r = await verifyJwt(extractToken(new Headers({ "Sec-WebSocket-Protocol": `airspace.v1, bearer.${jwt}` }))!.token, SECRET, NOW);
    expect(r.ok).toBe(true);
  });

  it("returns null when there is no token anywhere", () => {
    expect(extractToken(new Headers())).toBeNull();
    expect(extractToken(new Headers({ "Sec-WebSocket-Protocol": "airspace.v1" }))).toBeNull();
    expect(extractToken(new Headers({ "Sec-WebSocket-Protocol": "airspace.v1, chat" }))).toBeNull();
  });
});

describe("chosenSubprotocol", () => {
  it("answers airspace.v1 only to a client that offered it", () => {
    expect(chosenSubprotocol(new Headers({ "Sec-WebSocket-Protocol": "airspace.v1, bearer.x" }))).toBe("airspace.v1");
    expect(chosenSubprotocol(new Headers({ "Sec-WebSocket-Protocol": "bearer.x" }))).toBeNull();
    expect(chosenSubprotocol(new Headers({ "Sec-WebSocket-Protocol": "chat" }))).toBeNull();
    expect(chosenSubprotocol(new Headers())).toBeNull();
  });
});

describe("claims a principal needs (issue 11)", () => {
  it("requires the audience (configurable), a fleet, and keeps '*' for ops tokens", async () => {
    expect(await errorOf(await signJwt(claims({ aud: "someone-else" }), SECRET))).toMatch(/audience must include airspace/);
    const { aud: _, ...noAud } = claims();
    expect(await errorOf(await signJwt(noAud, SECRET))).toMatch(/audience/);
    expect((await verifyJwt(await signJwt(claims({ aud: ["x", "airspace"] }), SECRET), SECRET, NOW)).ok).toBe(true);
    const ring = await keyRing({ environment: "local", audience: "fleet-ops", secret: SECRET, keys: "", revokedJti: new Set() });
    expect((await verifyToken(await signJwt(claims({ aud: "fleet-ops" }), SECRET), ring, NOW)).ok).toBe(true);
    const { fleet: __, ...noFleet } = claims();
    expect(await errorOf(await signJwt(noFleet, SECRET))).toMatch(/fleet/);
    expect(await errorOf(await signJwt(claims({ fleet: "a/b" }), SECRET))).toMatch(/fleet/);
    expect(await errorOf(await signJwt(claims({ fleet: "*" }), SECRET))).toMatch(/fleet/);
    expect(await errorOf(await signJwt(claims({ fleet: "*", role: "relay" }), SECRET))).toMatch(/fleet/);
    const ops = await verifyJwt(await signJwt(claims({ fleet: "*", role: "ops" }), SECRET), SECRET, NOW);
    expect(ops.ok && ops.principal.fleet).toBe("*");
  });

  it("refuses a revoked jti, and reads drones and prefix on relay tokens only", async () => {
    const ring = await keyRing({ environment: "local", audience: "airspace", secret: SECRET, keys: "", revokedJti: new Set(["t-1"]) });
    expect(await verifyToken(await signJwt(claims({ jti: "t-1" }), SECRET), ring, NOW)).toMatchObject({ ok: false, error: "token revoked" });
    expect(await verifyToken(await signJwt(claims({ jti: "t-2" }), SECRET), ring, NOW)).toMatchObject({ ok: true, principal: { jti: "t-2" } });
    const relay = await verifyJwt(await signJwt(claims({ role: "relay", drones: ["a", "b"], prefix: "acme-" }), SECRET), SECRET, NOW);
    expect(relay).toMatchObject({ ok: true, principal: { drones: ["a", "b"], prefix: "acme-" } });
    expect(await errorOf(await signJwt(claims({ drones: ["a"] }), SECRET))).toMatch(/only relay tokens/);
    expect(await errorOf(await signJwt(claims({ role: "relay", drones: [] }), SECRET))).toMatch(/drones/);
    expect(await errorOf(await signJwt(claims({ role: "relay", drones: [""] }), SECRET))).toMatch(/drones/);
    expect(await errorOf(await signJwt(claims({ role: "relay", prefix: 3 }), SECRET))).toMatch(/prefix/);
  });
});

describe("key ids and asymmetric keys", () => {
  const oct = (kid: string, secret: string) => ({ kty: "oct", kid, k: base64url(new TextEncoder().encode(secret)) });

  it("verifies each active kid with its own key, so a rotation drops nobody", async () => {
    const keys = JSON.stringify({ keys: [oct("old", "old-secret-old-secret-old-secret!!"), oct("new", "new-secret-new-secret-new-secret!!")] });
    const ring = await keyRing({ environment: "local", audience: "airspace", secret: "", keys, revokedJti: new Set() });
    const old = await mintToken("old-secret-old-secret-old-secret!!", { sub: "d-7", fleet: "acme" }, { kid: "old", now: () => NOW * 1000 });
    const fresh = await mintToken("new-secret-new-secret-new-secret!!", { sub: "d-7", fleet: "acme" }, { kid: "new", now: () => NOW * 1000 });
    expect((await verifyToken(old, ring, NOW)).ok).toBe(true);
    expect((await verifyToken(fresh, ring, NOW)).ok).toBe(true);
    // Signed with the other kid's key, an unknown kid, or no kid while no legacy secret is set.
    const swapped = await mintToken("old-secret-old-secret-old-secret!!", { sub: "d-7", fleet: "acme" }, { kid: "new", now: () => NOW * 1000 });
    expect(await verifyToken(swapped, ring, NOW)).toMatchObject({ ok: false, error: "invalid token signature" });
    const unknown = await mintToken("x", { sub: "d-7", fleet: "acme" }, { kid: "gone", now: () => NOW * 1000 });
    expect(await verifyToken(unknown, ring, NOW)).toMatchObject({ ok: false, error: "unknown key id (kid)" });
    const noKid = await mintToken("old-secret-old-secret-old-secret!!", { sub: "d-7", fleet: "acme" }, { now: () => NOW * 1000 });
    expect(await verifyToken(noKid, ring, NOW)).toMatchObject({ ok: false, error: expect.stringMatching(/no kid/) });
  });

  it("verifies ES256 and EdDSA tokens against public keys in a JWKS, never an HS256 token made with a public key", async () => {
    const { SignJWT, exportJWK, generateKeyPair } = await import("jose");
    const es = await generateKeyPair("ES256", { extractable: true });
    const ed = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
    const esPub = { ...(await exportJWK(es.publicKey)), kid: "es-1" };
    const edPub = { ...(await exportJWK(ed.publicKey)), kid: "ed-1" };
    const ring = await keyRing({
      environment: "local",
      audience: "airspace",
      secret: "",
      keys: JSON.stringify({ keys: [esPub, edPub] }),
      revokedJti: new Set(),
    });
    const sign = (alg: string, kid: string, key: CryptoKey) =>
      new SignJWT({ role: "relay", fleet: "acme" })
        .setProtectedHeader({ alg, kid })
        .setSubject("gs-1")
        .setAudience("airspace")
        .setExpirationTime(NOW + 600)
        .sign(key);
    expect(await verifyToken(await sign("ES256", "es-1", es.privateKey), ring, NOW)).toMatchObject({ ok: true, principal: { role: "relay", fleet: "acme" } });
    expect(await verifyToken(await sign("EdDSA", "ed-1", ed.privateKey), ring, NOW)).toMatchObject({ ok: true, principal: { sub: "gs-1" } });
    expect(await verifyToken(await sign("ES256", "ed-1", es.privateKey), ring, NOW)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/does not match its key/),
    });
    // The classic confusion: HS256 with the public key's bytes as the secret.
    const confused = await signRawWith({ alg: "HS256", kid: "es-1" }, claims(), JSON.stringify(esPub));
    expect(await verifyToken(confused, ring, NOW)).toMatchObject({ ok: false });
  });

  it("refuses a JWKS it cannot use, naming the key", async () => {
    const bad = (keys: string) => keyRing({ environment: "local", audience: "airspace", secret: "", keys, revokedJti: new Set() });
    await expect(bad("{nope")).rejects.toThrow(/not JSON/);
    await expect(bad('{"keys": [{"kty": "oct", "k": "abc"}]}')).rejects.toThrow(/kid/);
    await expect(bad('{"keys": [{"kty": "RSA", "kid": "r", "n": "x", "e": "AQAB"}]}')).rejects.toThrow(/key r/);
    await expect(bad(JSON.stringify({ keys: [oct("a", "x"), oct("a", "y")] }))).rejects.toThrow(/two keys with kid a/);
  });
});
