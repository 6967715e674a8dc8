// Pure tests of src/gateway/auth.ts. They live under test/gateway/ and so run inside workerd, which is
// also where the module runs in production (WebCrypto, atob/btoa).
import { describe, expect, it } from "vitest";
import { base64url, mintToken } from "../../src/client/token.js";
import { extractToken, SUBPROTOCOL, verifyJwt } from "../../src/gateway/auth.js";
import { signJwt, signRaw as signRawWith } from "../helpers/jwt.js";

const SECRET = "unit-test-secret";
const NOW = 1_767_000_000; // Unix seconds

function claims(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { sub: "d-7", role: "drone", iat: NOW - 10, exp: NOW + 3600, ...over };
}

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
    expect(r).toEqual({ ok: true, principal: { sub: "d-7", role: "drone", exp: NOW + 3600 } });
  });

  it("accepts relay and ops roles, and treats a missing role as drone", async () => {
    for (const role of ["relay", "ops"] as const) {
      const r = await verifyJwt(await signJwt(claims({ role }), SECRET), SECRET, NOW);
      expect(r.ok && r.principal.role).toBe(role);
    }
    const { role: _, ...noRole } = claims();
    const r = await verifyJwt(await signJwt(noRole, SECRET), SECRET, NOW);
    expect(r.ok && r.principal.role).toBe("drone");
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
    expect(await errorOf(`${h}.${b}.`)).toMatch(/HS256/);
    expect(await errorOf(await signRaw({ alg: "none", typ: "JWT" }, claims()))).toMatch(/HS256/);
  });

  it("rejects an HS512 (or lower-case hs256) header even with a valid HS256 signature", async () => {
    expect(await errorOf(await signRaw({ alg: "HS512", typ: "JWT" }, claims()))).toMatch(/HS256/);
    expect(await errorOf(await signRaw({ alg: "hs256", typ: "JWT" }, claims()))).toMatch(/HS256/);
    expect(await errorOf(await signRaw({ typ: "JWT" }, claims()))).toMatch(/HS256/);
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
    expect(await errorOf(`${h}.${b}.${s}$`)).toMatch(/malformed token signature|invalid token signature/);
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
    const drone = await mintToken(SECRET, { sub: "d-7" }, { now: () => NOW * 1000, ttlS: 600 });
    expect(await verifyJwt(drone, SECRET, NOW)).toEqual({ ok: true, principal: { sub: "d-7", role: "drone", exp: NOW + 600 } });
    const relay = await mintToken(SECRET, { sub: "ground-station-1", role: "relay" }, { now: () => NOW * 1000 });
    expect(await verifyJwt(relay, SECRET, NOW)).toEqual({ ok: true, principal: { sub: "ground-station-1", role: "relay", exp: NOW + 3600 } });
    expect((await verifyJwt(drone, "another-secret", NOW)).ok).toBe(false);
    expect((await verifyJwt(drone, SECRET, NOW + 600)).ok).toBe(false);
  });

  it("verifies a mintToken token with non-ASCII claims", async () => {
    const t = await mintToken(SECRET, { sub: "Drohne-Zürich-🚁", note: "größer" }, { now: () => NOW * 1000 });
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
