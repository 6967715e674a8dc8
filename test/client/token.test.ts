import { describe, expect, it } from "vitest";
import { mintToken } from "../../src/client/token.js";

function b64urlDecode(s: string): Uint8Array {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (s.length % 4)) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

describe("mintToken", () => {
  it("produces an HS256 JWT that WebCrypto verifies", async () => {
    const secret = "test-secret-do-not-use-in-production";
    const jwt = await mintToken(secret, { sub: "d0001", fleet: "acme" }, { now: () => 1_767_000_000_000, ttlS: 600 });
    const [h, p, s] = jwt.split(".");
    expect(JSON.parse(new TextDecoder().decode(b64urlDecode(h!)))).toEqual({ alg: "HS256", typ: "JWT" });
    // The role and the audience are always written: the gateway refuses a token without them.
    expect(JSON.parse(new TextDecoder().decode(b64urlDecode(p!)))).toEqual({
      sub: "d0001",
      fleet: "acme",
      role: "drone",
      aud: "airspace",
      iat: 1_767_000_000,
      exp: 1_767_000_600,
    });
    const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
    const ok = await crypto.subtle.verify("HMAC", key, b64urlDecode(s!), new TextEncoder().encode(`${h}.${p}`));
    expect(ok).toBe(true);
    const bad = await crypto.subtle.verify("HMAC", key, b64urlDecode(s!), new TextEncoder().encode(`${h}.${p}x`));
    expect(bad).toBe(false);
    expect(jwt).not.toMatch(/[+/=]/);
  });

  it("carries the relay role and explicit expiry", async () => {
    const jwt = await mintToken("k", { sub: "relay-1", fleet: "acme", role: "relay", exp: 123, aud: "other" }, { kid: "k2" });
    const payload = JSON.parse(new TextDecoder().decode(b64urlDecode(jwt.split(".")[1]!)));
    expect(payload).toMatchObject({ sub: "relay-1", fleet: "acme", role: "relay", exp: 123, aud: "other" });
    expect(JSON.parse(new TextDecoder().decode(b64urlDecode(jwt.split(".")[0]!)))).toEqual({ alg: "HS256", typ: "JWT", kid: "k2" });
  });
});
