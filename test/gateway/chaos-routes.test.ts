// The fault-injection routes are answered only with CHAOS=1 on a local edge, behind the ops token, and
// a region object refuses them on its own options too. They touch every fleet: an all-fleets ("*") token's.
import { createExecutionContext, env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/gateway/app.js";
import { token } from "../helpers/client.js";

const app = createApp();
const chaosEnv = { ...env, CHAOS: "1" };
const call = async (e: object, method: string, path: string, tok: string) =>
  app.fetch(new Request(`https://airspace.test${path}`, { method, headers: { Authorization: `Bearer ${tok}` } }), e, createExecutionContext());

describe("chaos routes", () => {
  it("do not exist without CHAOS=1", async () => {
    const ops = await token("ops-chaos", "ops");
    for (const [method, path] of [
      ["POST", "/v1/chaos/links/cut"],
      ["GET", "/v1/chaos/totals"],
      ["POST", "/v1/chaos/regions/u33d/restart"],
    ] as const) {
      const r = await SELF.fetch(`https://airspace.test${path}`, { method, headers: { Authorization: `Bearer ${ops}` } });
      expect(r.status, path).toBe(404);
    }
  });

  it("need an all-fleets ops token, and report the sessions' totals and link cuts", async () => {
    expect((await call(chaosEnv, "GET", "/v1/chaos/totals", await token("drone-chaos"))).status).toBe(403);
    const fleetOps = await token("ops-yy", "ops", 600, { fleet: "yy" });
    expect((await call(chaosEnv, "POST", "/v1/chaos/links/cut", fleetOps)).status).toBe(403);
    const ops = await token("ops-chaos", "ops");
    const totals = await call(chaosEnv, "GET", "/v1/chaos/totals", ops);
    expect(totals.status).toBe(200);
    expect(await totals.json()).toMatchObject({ liveSessions: expect.any(Number), pointsAccepted: expect.any(Number), pointsLost: expect.any(Number) });
    const first = (await (await call(chaosEnv, "POST", "/v1/chaos/links/cut", ops)).json()) as { generation: number };
    const second = (await (await call(chaosEnv, "POST", "/v1/chaos/links/cut", ops)).json()) as { generation: number };
    expect(second.generation).toBe(first.generation + 1);
    expect((await call(chaosEnv, "POST", "/v1/chaos/regions/not-a-geohash!/restart", ops)).status).toBe(400);
  });

  it("reach a region that refuses them unless its own options enable fault injection", async () => {
    // The test pool's region objects run without CHAOS: a gateway enabled alone cannot restart them.
    const r = await call(chaosEnv, "POST", "/v1/chaos/regions/u33e/restart", await token("ops-chaos", "ops"));
    expect(r.status).toBe(404);
  });

  it("make a deployed edge refuse every client when CHAOS=1 is set there", async () => {
    const prod = { ...env, CHAOS: "1", AIRSPACE_ENV: "production", AIRSPACE_JWT_SECRET: "a-real-secret-of-at-least-32-bytes-not-the-example" };
    const r = await call(prod, "GET", "/v1/chaos/totals", "x");
    expect(r.status).toBe(503);
    // Why is logged, not told: the client is not authenticated yet (docs/security.md).
    expect(await r.json()).toMatchObject({ error: "bad_configuration" });
  });
});
