/**
 * Overload (issue 12): a region whose batches wait past SHED_UP_MS raises its shed level and tells its
 * links; their sessions hold back far drones' points before acceptance (counted, the client told with
 * OVERLOADED), never a drone in a conflict; and when the region keeps pace again, everything flows.
 * The wait is fed to the region's gauge directly: a real overload of one workerd thread is the
 * benchmark's job (scripts/bench/overload.ts), not a unit test's.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/gen/airspace/v1/airspace_pb.js";
import { regionOf } from "../../src/geo/regions.js";
import type { RegionObject } from "../../src/region/region-object.js";
import { SHED_CALM_TICKS, SHED_UP_MS } from "../../src/tunables.js";
import { connect, droneAt, eventually, ping, type TestClient, token } from "../helpers/client.js";

const LAT = 41.39; // Barcelona: a region no other test flies in
const LON = 2.17;

/** The region's gauge, as the test reaches into the object for it. */
interface Levelled {
  region: { core: { metrics: { overload: { level: number; record(ms: number): void } } } };
}

function region(key: string) {
  return env.REGION.get(env.REGION.idFromName(key));
}

async function overloaded(key: string, seconds: number): Promise<void> {
  for (let i = 0; i < seconds; i++) {
    await runInDurableObject(region(key), (o: RegionObject) => {
      const core = (o as unknown as Levelled).region.core;
      for (let k = 0; k < 10; k++) core.metrics.overload.record(SHED_UP_MS * 4);
    });
    await runDurableObjectAlarm(region(key));
  }
}

async function counters(c: TestClient, nonce: number) {
  c.sendRaw(ping(nonce));
  const f = await c.waitFor((x) => x.kind.case === "pong" && x.kind.value.nonce === BigInt(nonce), 5000, "pong");
  if (f.kind.case !== "pong") throw new Error("not a pong");
  return f.kind.value.counters!;
}

describe("load shedding", () => {
  it("holds back far drones' points while the region is behind, never those in a conflict, and stops when it keeps pace", async () => {
    const key = regionOf(LAT, LON, 4);
    const far = await connect(await token("bcn-far"));
    const a = await connect(await token("bcn-a"));
    const b = await connect(await token("bcn-b"));
    const t0 = Date.now();
    far.send([droneAt("bcn-far", LAT, LON, 3000, 3000, 8, 0, t0)]);
    a.send([droneAt("bcn-a", LAT, LON, 0, 0, 0, 10, t0)]);
    b.send([droneAt("bcn-b", LAT, LON, 0, 60, 0, -10, t0)]);
    await Promise.all([a.waitFor((f) => f.kind.case === "alert"), b.waitFor((f) => f.kind.case === "alert")]);
    await overloaded(key, 3); // level 3: moving far drones kept to one point per 500 ms
    expect(await runInDurableObject(region(key), (o: RegionObject) => (o as unknown as Levelled).region.core.metrics.overload.level)).toBe(3);
    // Ten reports 50 ms apart from each drone (measurement time), as fast as the socket takes them.
    for (let i = 1; i <= 10; i++) {
      const t = t0 + i * 50;
      far.send([droneAt("bcn-far", LAT, LON, 3000 + i, 3000, 20, 0, t)]);
      a.send([droneAt("bcn-a", LAT, LON, 0, i / 2, 0, 10, t)]);
    }
    const notice = await far.waitFor((f) => f.kind.case === "error" && f.kind.value.code === ErrorCode.OVERLOADED, 5000, "OVERLOADED notice");
    if (notice.kind.case !== "error") throw new Error("not an error");
    expect(notice.kind.value.droneId).toBe("bcn-far");
    const cf = await counters(far, 1);
    expect(Number(cf.pointsShed)).toBe(9); // one kept: 500 ms after the first
    expect(Number(cf.pointsReceived)).toBe(Number(cf.pointsAccepted) + Number(cf.pointsDeduped) + Number(cf.pointsShed) + Number(cf.pointsRejected));
    const ca = await counters(a, 1);
    expect(Number(ca.pointsShed)).toBe(0); // in a conflict: never held back
    expect(a.frames.some((f) => f.kind.case === "error" && f.kind.value.code === ErrorCode.OVERLOADED)).toBe(false);
    // Every accepted point reaches the region: shedding is admission, never a drop after acceptance.
    const accepted = Number(cf.pointsAccepted) + Number(ca.pointsAccepted) + 1;
    await eventually(() => runInDurableObject(region(key), (o: RegionObject) => o.stats.points >= accepted), 5000, "accepted points applied");
    // Calm seconds bring the level down; at 0 the gateways are told and take everything again.
    for (let i = 0; i < 3 * SHED_CALM_TICKS; i++) await runDurableObjectAlarm(region(key));
    expect(await runInDurableObject(region(key), (o: RegionObject) => (o as unknown as Levelled).region.core.metrics.overload.level)).toBe(0);
    const notices = far.frames.length;
    for (let i = 1; i <= 5; i++) far.send([droneAt("bcn-far", LAT, LON, 3010 + i, 3000, 20, 0, t0 + 500 + i * 50)]);
    const after = await counters(far, 2);
    expect(Number(after.pointsShed)).toBe(Number(cf.pointsShed));
    expect(Number(after.pointsAccepted)).toBe(Number(cf.pointsAccepted) + 5);
    expect(far.frames.slice(notices).some((f) => f.kind.case === "error" && f.kind.value.code === ErrorCode.OVERLOADED)).toBe(false);
    for (const c of [far, a, b]) c.close();
  });
});
