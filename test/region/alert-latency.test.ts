/**
 * Edge-side alert latency (issue 9): the gateway's receive time of the report that starts an encounter
 * rides with the batch to the region and back on the first alert; each drone's session measures the
 * latency when it sends that alert, and the sample rides with its next batch into the region's metrics.
 */
import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { regionOf } from "../../src/geo/regions.js";
import type { RegionObject } from "../../src/region/region-object.js";
import { FLEET_DOUBLES } from "../../src/region/metrics-mapping.js";
import { connect, droneAt, eventually, token } from "../helpers/client.js";

const LAT = 59.91; // Oslo: a region no other test flies in
const LON = 10.75;

interface Stats {
  alertLatencySamples: number;
  alertLatencyP50Ms: number;
  alertLatencyP99Ms: number;
  alertLatencyBuckets: number[];
}

function region(key: string) {
  return env.REGION.get(env.REGION.idFromName(key));
}

describe("edge-side alert latency", () => {
  it("stamps an encounter's first alerts, and the sessions' measurements reach the region's metrics", async () => {
    const key = regionOf(LAT, LON, 4);
    const a = await connect(await token("osl-a"));
    const b = await connect(await token("osl-b"));
    const before = Date.now();
    a.send([droneAt("osl-a", LAT, LON, 0, 0, 0, 10)]);
    b.send([droneAt("osl-b", LAT, LON, 0, 60, 0, -10)]);
    const [fa, fb] = await Promise.all([
      a.waitFor((f) => f.kind.case === "alert", 5000, "alert on a"),
      b.waitFor((f) => f.kind.case === "alert", 5000, "alert on b"),
    ]);
    for (const f of [fa, fb]) {
      if (f.kind.case !== "alert") throw new Error("not an alert");
      const stamp = Number(f.kind.value.edgeReceivedMs);
      expect(stamp).toBeGreaterThanOrEqual(before);
      expect(stamp).toBeLessThanOrEqual(Date.now());
    }
    // The samples ride with each session's next batch.
    a.send([droneAt("osl-a", LAT, LON, 0, 1, 0, 10)]);
    b.send([droneAt("osl-b", LAT, LON, 0, 59, 0, -10)]);
    const stats = await eventually(
      async () => {
        const s = await runInDurableObject(region(key), (o: RegionObject) => (o as unknown as { statsNow(): Stats }).statsNow());
        return s.alertLatencySamples >= 2 ? s : undefined;
      },
      5000,
      "two latency samples in the region",
    );
    expect(stats.alertLatencySamples).toBe(2);
    expect(stats.alertLatencyP99Ms).toBeGreaterThanOrEqual(stats.alertLatencyP50Ms);
    expect(stats.alertLatencyP99Ms).toBeLessThan(5000);
    expect(stats.alertLatencyBuckets.reduce((n, c) => n + c, 0)).toBe(2); // for quantiles over an interval (the benchmark)
    // ... and in the second's metrics, where operators read them (docs/metrics.md double16-18).
    expect(await runDurableObjectAlarm(region(key))).toBe(true);
    const points = await runInDurableObject(region(key), (o: RegionObject) => o.sink.recent().slice());
    const fleet = points.filter((p) => p.blobs[0] === "fleet");
    const col = (k: (typeof FLEET_DOUBLES)[number]) => FLEET_DOUBLES.indexOf(k);
    const samples = fleet.reduce((n, p) => n + p.doubles[col("alertLatencySamples")]!, 0);
    expect(samples).toBe(2);
    const measured = fleet.find((p) => p.doubles[col("alertLatencySamples")]! > 0)!;
    expect(measured.doubles[col("alertLatencyP50Ms")]).toBeGreaterThanOrEqual(0);
    // Refreshes and escalations are not new encounters: no more samples however long the pair flies.
    const r = await SELF.fetch(`https://airspace.test/v1/regions/${key}/stats`, {
      headers: { Authorization: `Bearer ${await token("ops-lat", "ops")}` },
    });
    expect(((await r.json()) as Record<string, number>).alertLatencySamples).toBe(2);
    a.close();
    b.close();
  });
});
