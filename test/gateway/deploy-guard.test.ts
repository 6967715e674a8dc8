import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import example from "../../.dev.vars.example?raw";
import { createApp } from "../../src/gateway/app.js";
import { EXAMPLE_SECRET, secretProblem } from "../../src/gateway/deploy-guard.js";

describe("the deploy guard", () => {
  it("knows the example secret .dev.vars.example ships, and that the example says local", () => {
    expect(example).toContain(`AIRSPACE_JWT_SECRET=${EXAMPLE_SECRET}\n`);
    expect(example).toMatch(/^AIRSPACE_ENV=local$/m);
  });

  it("refuses missing keys anywhere, and the example secret or one under 32 bytes outside local", () => {
    expect(secretProblem(undefined, "local")).toMatch(/no AIRSPACE_JWT_SECRET/);
    expect(secretProblem("", undefined)).toMatch(/no AIRSPACE_JWT_SECRET/);
    expect(secretProblem(EXAMPLE_SECRET, "local")).toBeNull();
    // Unset is deployed (a bare `wrangler deploy` without --env): only "local" itself is local.
    expect(secretProblem(EXAMPLE_SECRET, undefined)).toMatch(/example secret .* in environment \(unset: deployed\)/);
    expect(secretProblem(EXAMPLE_SECRET, "")).toMatch(/example secret/);
    expect(secretProblem(EXAMPLE_SECRET, "Local")).toMatch(/example secret/);
    expect(secretProblem("x".repeat(31), undefined)).toMatch(/shorter than 32 bytes in environment \(unset: deployed\)/);
    expect(secretProblem(EXAMPLE_SECRET, "production")).toMatch(/example secret/);
    expect(secretProblem(EXAMPLE_SECRET, "staging")).toMatch(/staging/);
    expect(secretProblem("a-real-secret", "production")).toMatch(/shorter than 32 bytes/);
    expect(secretProblem("x".repeat(31), "production")).toMatch(/shorter than 32 bytes/);
    expect(secretProblem("x".repeat(32), "production")).toBeNull();
    expect(secretProblem("short", "local")).toBeNull(); // local development: anything goes
  });

  it("checks the HS256 keys of a JWKS the same way, and takes a JWKS alone as configured", () => {
    const oct = (kid: string, secret: string) => ({ kty: "oct", kid, k: btoa(secret).replace(/=+$/, "") });
    const jwks = (...keys: unknown[]) => JSON.stringify({ keys });
    expect(secretProblem(undefined, "production", jwks(oct("k1", "x".repeat(32))))).toBeNull();
    expect(secretProblem(undefined, "production", jwks(oct("k1", "x".repeat(32)), oct("k2", "short")))).toMatch(/key k2 is shorter/);
    expect(secretProblem(undefined, "production", jwks(oct("k1", EXAMPLE_SECRET)))).toMatch(/key k1/);
    expect(secretProblem(undefined, "production", jwks({ kty: "OKP", crv: "Ed25519", kid: "e1", x: "abc" }))).toBeNull();
  });

  it("answers 503 to every client of a production edge on the example secret", async () => {
    const app = createApp();
    const prod = { ...env, AIRSPACE_ENV: "production", AIRSPACE_JWT_SECRET: EXAMPLE_SECRET };
    const r = await app.fetch(new Request("https://airspace.test/v1/regions"), prod, createExecutionContext());
    expect(r.status).toBe(503);
    // Why is logged, never told: the client is not authenticated (issue 11).
    expect(await r.json()).toEqual({ error: "not_configured" });
    const health = await app.fetch(new Request("https://airspace.test/healthz"), prod, createExecutionContext());
    expect(health.status).toBe(200);
  });

  it("answers 503 to every client of an edge whose AIRSPACE_ENV is unset (a deploy without --env) on the example secret", async () => {
    const app = createApp();
    const bare: Record<string, unknown> = { ...env, AIRSPACE_JWT_SECRET: EXAMPLE_SECRET };
    delete bare.AIRSPACE_ENV;
    const r = await app.fetch(new Request("https://airspace.test/v1/regions"), bare, createExecutionContext());
    expect(r.status).toBe(503);
    expect(await r.json()).toEqual({ error: "not_configured" });
    // The same edge saying local (the test pool, .dev.vars) takes it: the 401 of a request without a token.
    const local = await app.fetch(new Request("https://airspace.test/v1/regions"), { ...bare, AIRSPACE_ENV: "local" }, createExecutionContext());
    expect(local.status).toBe(401);
  });

  it("answers a bad option or key set with 503 bad_configuration and no detail, before any token is read", async () => {
    const app = createApp();
    for (const bad of [{ ABUSE_CLOSE_MS: "soon" }, { AIRSPACE_JWT_KEYS: '{"keys":[{"kty":"oct","k":"eA"}]}' }]) {
      const r = await app.fetch(new Request("https://airspace.test/v1/regions"), { ...env, ...bad }, createExecutionContext());
      expect(r.status).toBe(503);
      expect(await r.json()).toEqual({ error: "bad_configuration" });
    }
  });
});
