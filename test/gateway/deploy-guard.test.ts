import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import example from "../../.dev.vars.example?raw";
import { createApp } from "../../src/gateway/app.js";
import { EXAMPLE_SECRET, secretProblem } from "../../src/gateway/deploy-guard.js";

describe("the deploy guard", () => {
  it("knows the example secret .dev.vars.example ships", () => {
    expect(example).toContain(`AIRSPACE_JWT_SECRET=${EXAMPLE_SECRET}\n`);
  });

  it("refuses a missing secret anywhere and the example secret outside local", () => {
    expect(secretProblem(undefined, "local")).toMatch(/no AIRSPACE_JWT_SECRET/);
    expect(secretProblem("", undefined)).toMatch(/no AIRSPACE_JWT_SECRET/);
    expect(secretProblem(EXAMPLE_SECRET, "local")).toBeNull();
    expect(secretProblem(EXAMPLE_SECRET, undefined)).toBeNull();
    expect(secretProblem(EXAMPLE_SECRET, "production")).toMatch(/example secret/);
    expect(secretProblem(EXAMPLE_SECRET, "staging")).toMatch(/staging/);
    expect(secretProblem("a-real-secret", "production")).toBeNull();
  });

  it("answers 503 to every client of a production edge on the example secret", async () => {
    const app = createApp();
    const prod = { ...env, AIRSPACE_ENV: "production", AIRSPACE_JWT_SECRET: EXAMPLE_SECRET };
    const r = await app.fetch(new Request("https://airspace.test/v1/regions"), prod, createExecutionContext());
    expect(r.status).toBe(503);
    expect(((await r.json()) as { detail: string }).detail).toMatch(/example secret/);
    const health = await app.fetch(new Request("https://airspace.test/healthz"), prod, createExecutionContext());
    expect(health.status).toBe(200);
  });
});
