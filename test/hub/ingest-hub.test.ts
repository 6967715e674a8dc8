// Ingest hubs end to end in workerd: single-drone sockets switched onto hubs by their region, alerts
// back through them, and exactly-once across a hub restart, a region restart and a switch of paths.
import { abortAllDurableObjects, env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { regionCenter, regionOf } from "../../src/geo/regions.js";
import type { IngestHub } from "../../src/hub/ingest-hub.js";
import { hubShard } from "../../src/link/hub-policy.js";
import type { RegionObject } from "../../src/region/region-object.js";
import { connect, droneAt, eventually, ping, type TestClient, token } from "../helpers/client.js";

const region = (key: string) => env.REGION.get(env.REGION.idFromName(key));
const hub = (key: string, shard: number) => env.HUB.get(env.HUB.idFromName(`${key}/${shard}`));

async function ops(path: string, method = "GET"): Promise<Response> {
  return SELF.fetch(`https://airspace.test${path}`, { method, headers: { Authorization: `Bearer ${await token("ops-hub", "ops")}` } });
}

/** `n` drone sockets in `key`'s cell, hovering 40 m apart (no conflicts), each with its own token. */
async function fleet(key: string, prefix: string, n: number) {
  const { lat, lon } = regionCenter(key);
  const clients: TestClient[] = [];
  for (let i = 0; i < n; i++) {
    const c = await connect(await token(`${prefix}${i}`));
    await c.waitFor((f) => f.kind.case === "welcome");
    clients.push(c);
  }
  let sent = 0;
  return {
    clients,
    get sent() {
      return sent;
    },
    /** One report from every drone (unique times: a repeat would show as a duplicate). */
    report() {
      const now = Date.now();
      for (const [i, c] of clients.entries()) c.send([droneAt("", lat, lon, (i % 10) * 40, Math.floor(i / 10) * 40 + (sent % 7), 0, 0, now)]);
      sent += clients.length;
    },
    async acceptedByGateways() {
      let total = 0;
      for (const [i, c] of clients.entries()) {
        c.sendRaw(ping(1000 + i));
        const pong = await c.waitFor((f) => f.kind.case === "pong" && f.kind.value.nonce === BigInt(1000 + i), 10_000, "pong");
        total += pong.kind.case === "pong" ? Number(pong.kind.value.counters?.pointsAccepted ?? 0) : 0;
      }
      return total;
    },
    close: () => {
      for (const c of clients) c.close();
    },
  };
}

/**
 * Home points the region took in, summed from its persisted per-second metrics (which survive
 * restarts): applied as new states, or ignored as older than the drone's state (a batch overtaken by a
 * later one on another path: taken in once all the same). A point taken twice would count twice.
 */
async function appliedPersisted(key: string): Promise<number> {
  await runDurableObjectAlarm(region(key));
  const m = (await (await ops(`/v1/regions/${key}/metrics?since=0`)).json()) as { metrics: { metrics: { applied: number; ignoredStale: number } }[] };
  return m.metrics.reduce((s, r) => s + r.metrics.applied + r.metrics.ignoredStale, 0);
}

/** Pins K hubs and runs a tick, which tells the links seen since the last tick to switch. */
async function pinHubs(key: string, k: number) {
  const r = await ops(`/v1/regions/${key}/hubs?hubs=${k}`, "POST");
  expect(r.status).toBe(200);
  await runDurableObjectAlarm(region(key));
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("ingest hubs", () => {
  it("carries single-drone sockets' reports in bundles and their alerts back", async () => {
    const key = regionOf(41.39, 2.17, 4); // Barcelona
    const { lat, lon } = regionCenter(key);
    const a = await connect(await token("hub-a"));
    const b = await connect(await token("hub-b"));
    const now = () => Date.now();
    a.send([droneAt("", lat, lon, -300, 0, 0, 0, now())]);
    b.send([droneAt("", lat, lon, 300, 0, 0, 0, now())]);
    await eventually(() => runInDurableObject(region(key), (o: RegionObject) => o.stats.points >= 2), 5000, "direct reports applied");
    await pinHubs(key, 2);
    await pause(300); // the links reconnect through their hubs
    for (let k = 0; k < 5; k++) {
      a.send([droneAt("", lat, lon, -60 + 10 * k, 0, 10, 0, now())]);
      b.send([droneAt("", lat, lon, 60 - 10 * k, 0, -10, 0, now())]);
      await pause(100);
    }
    await a.waitFor((f) => f.kind.case === "alert" && f.kind.value.otherId === "hub-b", 5000, "a's alert through its hub");
    await b.waitFor((f) => f.kind.case === "alert" && f.kind.value.otherId === "hub-a", 5000, "b's alert through its hub");
    const bundles = await Promise.all([0, 1].map((s) => runInDurableObject(hub(key, s), (h: IngestHub) => h.stats.bundles)));
    expect(bundles[hubShard("hub-a", 2)]! + bundles[hubShard("hub-b", 2)]!).toBeGreaterThan(0);
    a.close();
    b.close();
  });

  it("takes drones that come near each other off their hub at once, and alerts them; the others stay on it", async () => {
    const key = regionOf(38.72, -9.14, 4); // Lisbon
    const { lat, lon } = regionCenter(key);
    const [a, b, c] = await Promise.all(["near-a", "near-b", "near-c"].map(async (id) => connect(await token(id))));
    const now = () => Date.now();
    let step = 0; // each report a metre on from the last: a repeat would be dropped as a near-duplicate
    const hovering = (east: number) => {
      step++;
      for (const [i, d] of [a!, b!, c!].entries()) d.send([droneAt("", lat, lon, i === 2 ? 2000 : i === 0 ? -east : east, step % 5, 0, 0, now())]);
    };
    hovering(200);
    await eventually(() => runInDurableObject(region(key), (o: RegionObject) => o.stats.points >= 3), 5000, "direct reports applied");
    await pinHubs(key, 1);
    await pause(300); // every link reconnects through hub 0
    const onHub = () => runInDurableObject(hub(key, 0), (h: IngestHub) => h.stats.batches);
    const far = await onHub();
    for (let k = 0; k < 3; k++) {
      hovering(200); // 400 m apart
      await pause(100);
    }
    expect(await onHub()).toBeGreaterThanOrEqual(far + 9); // all three through the hub
    for (let k = 0; k < 3; k++) {
      hovering(10); // 20 m apart: within 2R (30 m), not in conflict
      await pause(100);
    }
    await pause(300); // told to go direct by the proximity set itself, not at the next tick
    const near = await onHub();
    for (let k = 0; k < 5; k++) {
      a!.send([droneAt("", lat, lon, -10 + k, 0, 10, 0, now())]);
      b!.send([droneAt("", lat, lon, 10 - k, 0, -10, 0, now())]);
      await pause(100);
    }
    await a!.waitFor((f) => f.kind.case === "alert" && f.kind.value.otherId === "near-b", 5000, "a's alert, direct");
    await b!.waitFor((f) => f.kind.case === "alert" && f.kind.value.otherId === "near-a", 5000, "b's alert, direct");
    expect(await onHub()).toBe(near); // none of the near pair's reports went through the hub
    c!.send([droneAt("", lat, lon, 2000, 10, 0, 0, now())]);
    await eventually(async () => (await onHub()) > near, 5000, "the far drone still through its hub");
    for (const d of [a!, b!, c!]) d.close();
  });

  it("applies exactly N of N points across a path switch and a hub restart", async () => {
    const key = regionOf(45.46, 9.19, 4); // Milan
    const f = await fleet(key, "hubx-", 12);
    for (let k = 0; k < 3; k++) {
      f.report();
      await pause(60);
    }
    await pinHubs(key, 3); // direct → hubs mid-stream
    for (let k = 0; k < 3; k++) {
      f.report();
      await pause(60);
    }
    await abortAllHubs(key, 3); // every hub restarts with bundles possibly in flight
    for (let k = 0; k < 3; k++) {
      f.report();
      await pause(60);
    }
    await pinHubs(key, 0); // and back to direct
    for (let k = 0; k < 3; k++) {
      f.report();
      await pause(60);
    }
    const accepted = await f.acceptedByGateways();
    expect(accepted).toBe(f.sent);
    await eventually(async () => (await appliedPersisted(key)) >= f.sent, 10_000, "every point applied");
    expect(await appliedPersisted(key)).toBe(f.sent);
    f.close();
  });

  it("applies exactly N of N points when the region and its hubs restart mid-stream", async () => {
    const key = regionOf(50.85, 4.35, 4); // Brussels
    const f = await fleet(key, "hubr-", 10);
    f.report();
    await pause(60);
    await pinHubs(key, 2);
    for (let k = 0; k < 4; k++) {
      f.report();
      await pause(60);
    }
    await abortAllDurableObjects(); // regions and hubs alike
    for (let k = 0; k < 4; k++) {
      f.report();
      await pause(60);
    }
    const accepted = await f.acceptedByGateways();
    expect(accepted).toBe(f.sent);
    await eventually(async () => (await appliedPersisted(key)) >= f.sent, 15_000, "every point applied");
    expect(await appliedPersisted(key)).toBe(f.sent);
    f.close();
  });
});

async function abortAllHubs(key: string, k: number) {
  for (let s = 0; s < k; s++) {
    try {
      await runInDurableObject(hub(key, s), (_h: IngestHub, state) => state.abort("test: hub restart"));
    } catch {
      // abort throws out of the callback by design
    }
  }
}
