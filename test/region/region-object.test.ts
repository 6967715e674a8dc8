import { abortAllDurableObjects, env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { AlertLevel } from "../../src/gen/airspace/v1/airspace_pb.js";
import { regionBounds, regionCenter, regionOf } from "../../src/geo/regions.js";
import type { RegionObject } from "../../src/region/region-object.js";
import { connect, droneAt, eventually, token } from "../helpers/client.js";

function region(key: string) {
  return env.REGION.get(env.REGION.idFromName(key));
}

async function inRegion<R>(key: string, fn: (o: RegionObject) => R): Promise<R> {
  return runInDurableObject(region(key), (o: RegionObject) => fn(o));
}

async function ops(path: string): Promise<Response> {
  return SELF.fetch(`https://airspace.test${path}`, { headers: { Authorization: `Bearer ${await token("ops-1", "ops")}` } });
}

describe("region object: exactly-once across a restart", () => {
  it("loses and duplicates no point when the object is aborted mid-stream", async () => {
    // Munich's cell, one new drone per point (30 m apart, hovering: no conflicts, no ghosts) so the
    // table shows every point that landed.
    const key = regionOf(48.14, 11.58, 4);
    const { lat: clat, lon: clon } = regionCenter(key);
    const relay = await connect(await token("relay-restart", "relay"));
    await relay.waitFor((f) => f.kind.case === "welcome");
    let n = 0;
    const sendFrames = (frames: number) => {
      for (let i = 0; i < frames; i++) {
        const now = Date.now();
        relay.send(Array.from({ length: 10 }, () => droneAt(`r${n}`, clat, clon, (n % 20) * 30, Math.floor(n++ / 20) * 30, 0, 0, now)));
      }
    };
    // Ten frames 60 ms apart: ten batches, so the link counts as busy (ACK_EVERY_BATCHES is 4 in
    // tests) and from the next tick on its batches are journaled and acked between ticks.
    for (let i = 0; i < 10; i++) {
      sendFrames(1);
      await new Promise((r) => setTimeout(r, 60));
    }
    await eventually(() => inRegion(key, (o) => o.stats.points >= 100), 5000, "first 100 points applied");
    await runDurableObjectAlarm(region(key)); // checkpoint + ack the first 100
    // No further tick until the abort: what follows must survive through the journal alone.
    await runInDurableObject(region(key), (_o: RegionObject, state) => state.storage.deleteAlarm());
    // Five frames 60 ms apart: five batches, more than ACK_EVERY_BATCHES (4 in tests), so the region
    // journals and acks them between ticks.
    for (let i = 0; i < 5; i++) {
      sendFrames(1);
      await new Promise((r) => setTimeout(r, 60));
    }
    await eventually(() => inRegion(key, (o) => o.stats.points >= 150), 5000, "150 points applied");
    const journaled = await runInDurableObject(
      region(key),
      (_o: RegionObject, state) => state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM journal").one().n,
    );
    expect(journaled).toBeGreaterThanOrEqual(4);
    // Applied, acked and durable only in the journal (no tick since) when the object dies.
    await abortAllDurableObjects();
    sendFrames(5);
    const drones = await eventually(
      async () => {
        const r = await ops(`/v1/regions/${key}/drones`);
        const body = (await r.json()) as { drones: { droneId: string }[] };
        return body.drones.length >= 200 ? body.drones : undefined;
      },
      8000,
      "all 200 drones in the restarted region",
    );
    expect(new Set(drones.map((d) => d.droneId)).size).toBe(200);
    expect(await inRegion(key, (o) => o.stats.journalReapplied)).toBeGreaterThan(0);
    // Every point counted once: the per-second metrics (persisted by each tick) sum to exactly 200.
    await runDurableObjectAlarm(region(key));
    const m = (await (await ops(`/v1/regions/${key}/metrics?since=0`)).json()) as { metrics: { metrics: { applied: number; accepted: number } }[] };
    const applied = m.metrics.reduce((s, r) => s + r.metrics.applied, 0);
    const accepted = m.metrics.reduce((s, r) => s + r.metrics.accepted, 0);
    expect(applied).toBe(200);
    expect(accepted).toBe(200);
    relay.close();
  });
});

describe("region object: a checkpoint that fails", () => {
  it("acks nothing it did not store: the object restarts from what is durable, and no point is lost or counted twice", async () => {
    // Dresden's cell, one new hovering drone per point 30 m apart, as above: the table shows every point that landed.
    const key = regionOf(51.05, 13.74, 4);
    const { lat: clat, lon: clon } = regionCenter(key);
    const relay = await connect(await token("relay-ckpt", "relay"));
    await relay.waitFor((f) => f.kind.case === "welcome");
    let n = 0;
    const sendFrame = () => {
      const now = Date.now();
      relay.send(Array.from({ length: 10 }, () => droneAt(`c${n}`, clat, clon, (n % 20) * 30, Math.floor(n++ / 20) * 30, 0, 0, now)));
    };
    const applied = (count: number) => eventually(() => inRegion(key, (o) => o.stats.points >= count), 5000, `${count} points applied`);
    sendFrame();
    await applied(10);
    await runDurableObjectAlarm(region(key)); // a good checkpoint: the first 10 are durable
    // One quiet batch (not journaled: durable only through a checkpoint), then the checkpoint fails.
    sendFrame();
    await applied(20);
    await inRegion(key, (o) => {
      const store = (o as unknown as { store: { checkpoint: (...a: unknown[]) => void } }).store;
      store.checkpoint = () => {
        throw new Error("SQLITE_FULL (test)");
      };
    });
    expect(await runDurableObjectAlarm(region(key)).catch(() => true)).toBe(true); // the tick ran, and its checkpoint failed
    // Another batch: before the fix it carried the ack of the failed checkpoint, and the gateway
    // forgot the batch above, which only the lost memory of the object held.
    sendFrame();
    // Applied by the object as it is now (the same one before the fix; a restarted one after it).
    await eventually(async () => {
      const body = (await (await ops(`/v1/regions/${key}/drones`)).json()) as { drones: { droneId: string }[] };
      return body.drones.some((d) => d.droneId === "test/c29");
    });
    // Room for that ack to reach the gateway (same process): without it this test could pass on the old code.
    await new Promise((r) => setTimeout(r, 200));
    await abortAllDurableObjects();
    sendFrame();
    const drones = await eventually(
      async () => {
        const body = (await (await ops(`/v1/regions/${key}/drones`)).json()) as { drones: { droneId: string }[] };
        return body.drones.length >= 40 ? body.drones : undefined;
      },
      8000,
      "all 40 drones after the restart",
    );
    expect(new Set(drones.map((d) => d.droneId)).size).toBe(40);
    await runDurableObjectAlarm(region(key));
    const m = (await (await ops(`/v1/regions/${key}/metrics?since=0`)).json()) as { metrics: { metrics: { applied: number; accepted: number } }[] };
    expect(m.metrics.reduce((s, r) => s + r.metrics.applied, 0)).toBe(40);
    expect(m.metrics.reduce((s, r) => s + r.metrics.accepted, 0)).toBe(40);
    relay.close();
  });
});

describe("region object: a journal write that fails", () => {
  it("is not told to a reconnecting gateway as durable: the object restarts, and no point is lost", async () => {
    // Bonn's cell; one new hovering drone per point, as above.
    const key = regionOf(50.73, 7.1, 4);
    const { lat: clat, lon: clon } = regionCenter(key);
    const relay = await connect(await token("relay-journal", "relay"));
    await relay.waitFor((f) => f.kind.case === "welcome");
    let n = 0;
    const frames = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const now = Date.now();
        relay.send(Array.from({ length: 10 }, () => droneAt(`j${n}`, clat, clon, (n % 20) * 30, Math.floor(n++ / 20) * 30, 0, 0, now)));
        await new Promise((r) => setTimeout(r, 60));
      }
    };
    // A busy link (ACK_EVERY_BATCHES is 4 in tests): from the next tick on it is journaled and acked between ticks.
    await frames(10);
    await eventually(() => inRegion(key, (o) => o.stats.points >= 100), 5000, "first 100 points applied");
    await runDurableObjectAlarm(region(key));
    await runInDurableObject(region(key), (_o: RegionObject, state) => state.storage.deleteAlarm());
    await inRegion(key, (o) => {
      const store = (o as unknown as { store: { journal: (...a: unknown[]) => void } }).store;
      const journal = store.journal.bind(store);
      store.journal = () => {
        store.journal = journal;
        throw new Error("SQLITE_IOERR (test)");
      };
    });
    // The early ack's journal write fails. Before the fix the batches stayed "durable" in the ledger,
    // the link was closed, and the reconnecting gateway was told to forget them in its hello.
    await frames(6);
    await eventually(async () => {
      const body = (await (await ops(`/v1/regions/${key}/drones`)).json()) as { drones: { droneId: string }[] };
      return body.drones.some((d) => d.droneId === "test/j159");
    });
    // Room for the reconnect and its hello (backoff from 100 ms): without it this could pass on the old code.
    await new Promise((r) => setTimeout(r, 500));
    await abortAllDurableObjects();
    await frames(1);
    const drones = await eventually(
      async () => {
        const body = (await (await ops(`/v1/regions/${key}/drones`)).json()) as { drones: { droneId: string }[] };
        return body.drones.length >= 170 ? body.drones : undefined;
      },
      8000,
      "all 170 drones after the restart",
    );
    expect(new Set(drones.map((d) => d.droneId)).size).toBe(170);
    await runDurableObjectAlarm(region(key));
    const m = (await (await ops(`/v1/regions/${key}/metrics?since=0`)).json()) as { metrics: { metrics: { applied: number } }[] };
    expect(m.metrics.reduce((s, r) => s + r.metrics.applied, 0)).toBe(170);
    relay.close();
  });
});

describe("proximity flush", () => {
  it("applies every point of drones flushed early because they are near each other", async () => {
    const key = regionOf(51.34, 12.37, 4); // Leipzig
    const { lat, lon } = regionCenter(key);
    const relay = await connect(await token("relay-near", "relay"));
    await relay.waitFor((f) => f.kind.case === "welcome");
    const t0 = Date.now();
    // 10 drones 8 m apart (within 2R of each other), each moving 1 m per frame, 40 frames 5 ms apart:
    // the region's "near" sets arrive while later points wait in the batcher.
    for (let k = 0; k < 40; k++) {
      relay.send(Array.from({ length: 10 }, (_, i) => droneAt(`near-${i}`, lat, lon, i * 8, k, 0, 10, t0 + k * 5, 100 + i * 20)));
      await new Promise((r) => setTimeout(r, 5));
    }
    await eventually(() => inRegion(key, (o) => o.stats.points >= 400), 8000, "all 400 points applied");
    const stats = await inRegion(key, (o) => o.stats);
    expect(stats).toMatchObject({ points: 400, duplicateBatches: 0 });
    // Urgent points of one frame leave together: about one message per frame, not one per point.
    expect(stats.batches).toBeLessThanOrEqual(80);
    relay.close();
  });
});

describe("region object: alerts across a restart", () => {
  it("continues an encounter under its id after the object restarts, and clears that id", async () => {
    const lat = 48.78; // Stuttgart's cell
    const lon = 9.18;
    const key = regionOf(lat, lon, 4);
    const a = await connect(await token("rs-a"));
    const b = await connect(await token("rs-b"));
    const t0 = Date.now();
    // Head-on, 100 m apart, closing at 20 m/s: entry at 4.25 s, a caution.
    a.send([droneAt("rs-a", lat, lon, -50, 0, 10, 0, t0)]);
    b.send([droneAt("rs-b", lat, lon, 50, 0, -10, 0, t0)]);
    const first = await a.waitFor((f) => f.kind.case === "alert");
    if (first.kind.case !== "alert") throw new Error("unreachable");
    expect(first.kind.value.level).toBe(AlertLevel.CAUTION);
    const id = first.kind.value.alertId;
    await b.waitFor((f) => f.kind.case === "alert" && f.kind.value.alertId === id);
    await eventually(() => inRegion(key, (o) => o.stats.points >= 2));
    await runDurableObjectAlarm(region(key)); // checkpoint the drones
    await abortAllDurableObjects();
    // Later they are 50 m apart: entry at 1.75 s, a warning, on the same encounter. Stamped no further
    // ahead than MAX_FUTURE_MS (1 s): the gateway refuses points from further in the future (issue 11).
    const t1 = Math.max(t0 + 1000, Date.now());
    a.send([droneAt("rs-a", lat, lon, -25, 0, 10, 0, t1)]);
    b.send([droneAt("rs-b", lat, lon, 25, 0, -10, 0, t1)]);
    // Each drone's link comes back on its own schedule: an escalation computed while one of them is
    // still reconnecting must reach it when it is back.
    const esc = await a.waitFor((f) => f.kind.case === "alert" && f.kind.value.level === AlertLevel.WARNING, 15_000, "the escalation after the restart");
    expect(esc.kind.case === "alert" && esc.kind.value.alertId).toBe(id);
    // Then they turn away from each other: the clear carries the same id.
    const t2 = t1 + 100;
    a.send([droneAt("rs-a", lat, lon, -25, -1, 0, -10, t2)]);
    b.send([droneAt("rs-b", lat, lon, 25, 30, 0, 10, t2)]);
    const clear = await b.waitFor((f) => f.kind.case === "alert" && f.kind.value.level === AlertLevel.CLEAR, 15_000, "the clear");
    expect(clear.kind.case === "alert" && clear.kind.value.alertId).toBe(id);
    expect(new Set(b.alerts().map((x) => x.alertId))).toEqual(new Set([id]));
    a.close();
    b.close();
  }, 40_000);

  it("resumes an encounter under its id after a restart before any tick", async () => {
    const lat = 53.55; // Hamburg's cell
    const lon = 9.99;
    const key = regionOf(lat, lon, 4);
    const a = await connect(await token("rn-a"));
    const b = await connect(await token("rn-b"));
    const t0 = Date.now();
    a.send([droneAt("rn-a", lat, lon, -50, 0, 10, 0, t0)]);
    b.send([droneAt("rn-b", lat, lon, 50, 0, -10, 0, t0)]);
    const first = await a.waitFor((f) => f.kind.case === "alert");
    const id = first.kind.case === "alert" ? first.kind.value.alertId : "";
    // No tick has run (no checkpoint, no deferred audit rows): only the start's own row is stored.
    const rows = await inRegion(key, (o) =>
      (o as unknown as { store: { alertsSince(s: number, l: number): { alert_id: string }[] } }).store.alertsSince(0, 10),
    );
    expect(rows.map((r) => r.alert_id)).toContain(id);
    await abortAllDurableObjects();
    // The gateway resends the unacknowledged points; the re-opened encounter keeps its id.
    const t1 = Math.max(t0 + 1000, Date.now());
    a.send([droneAt("rn-a", lat, lon, -25, 0, 10, 0, t1)]);
    b.send([droneAt("rn-b", lat, lon, 25, 0, -10, 0, t1)]);
    const esc = await a.waitFor((f) => f.kind.case === "alert" && f.kind.value.level === AlertLevel.WARNING, 15_000, "the escalation after the restart");
    expect(esc.kind.case === "alert" && esc.kind.value.alertId).toBe(id);
    a.close();
    b.close();
  }, 40_000);
});

describe("region borders", () => {
  // The eastern border of the cell that holds central Berlin.
  const home = regionOf(52.52, 13.4, 4);
  const b = regionBounds(home);
  const lat = (b.south + b.north) / 2;
  const mPerDegLon = 111_120 * Math.cos((lat * Math.PI) / 180);

  it("never counts a ghost in the neighbouring region's metrics", async () => {
    const relay = await connect(await token("relay-ghost", "relay"));
    const now = Date.now();
    // 200 m east of the border: home is the neighbour, a ghost in `home`.
    const p = droneAt("ghost-1", lat, b.east + 200 / mPerDegLon, 0, 0, 0, 0, now);
    const q = droneAt("homey-1", lat, b.east - 5000 / mPerDegLon, 0, 0, 0, 0, now);
    relay.send([p, q]);
    const neighbour = regionOf(p.lat, p.lon, 4);
    expect(neighbour).not.toBe(home);
    await eventually(() => inRegion(home, (o) => o.stats.points >= 2), 5000, "home region got the ghost and its own drone");
    await eventually(() => inRegion(neighbour, (o) => o.stats.points >= 1), 5000, "neighbour got its home drone");
    await runDurableObjectAlarm(region(home));
    const m = (await (await ops(`/v1/regions/${home}/metrics?since=0`)).json()) as {
      metrics: { metrics: { active: number; received: number; accepted: number; applied: number } }[];
    };
    const last = m.metrics.at(-1)!.metrics;
    expect(last.active).toBe(1);
    expect(m.metrics.reduce((s, r) => s + r.metrics.applied, 0)).toBe(1);
    expect(m.metrics.reduce((s, r) => s + r.metrics.received, 0)).toBe(1);
    const drones = (await (await ops(`/v1/regions/${home}/drones`)).json()) as { drones: { droneId: string }[] };
    expect(drones.drones.map((d) => d.droneId)).toEqual(["test/homey-1"]); // fleet/droneId
    // The ghost's own region counts it, once.
    await runDurableObjectAlarm(region(neighbour));
    const mn = (await (await ops(`/v1/regions/${neighbour}/metrics?since=0`)).json()) as { metrics: { metrics: { applied: number } }[] };
    expect(mn.metrics.reduce((s, r) => s + r.metrics.applied, 0)).toBe(1);
    relay.close();
  });

  it("keeps alerting a pair in conflict while it flies across the border", async () => {
    const a = await connect(await token("cross-a"));
    const c = await connect(await token("cross-c"));
    // Side by side 8 m apart (inside R), flying east at 20 m/s across the border, 1 report per 100 ms.
    // Stamped from 4.5 s ago, 100 ms apart, sent every 25 ms: never ahead of the clock (MAX_FUTURE_MS).
    const start = Date.now() - 4500;
    const x0 = -60; // metres west of the border
    const seen: { t: number; region: string }[] = [];
    for (let i = 0; i <= 60; i++) {
      const t = start + i * 100;
      const east = x0 + 2 * i;
      const pa = droneAt("cross-a", lat, b.east, east, 0, 20, 0, t);
      const pc = droneAt("cross-c", lat, b.east, east, 8, 20, 0, t);
      a.send([pa]);
      c.send([pc]);
      seen.push({ t, region: regionOf(pa.lat, pa.lon, 4) });
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(new Set(seen.map((s) => s.region)).size).toBe(2);
    // Alerts from both regions, and the last word on each socket is not a stand-down.
    for (const client of [a, c]) {
      await client.waitFor((f) => f.kind.case === "alert" && f.kind.value.computedForMs >= BigInt(start + 5000), 5000, "an alert computed after the crossing");
      const alerts = client.alerts();
      const active = new Map<string, number>();
      for (const al of alerts) active.set(al.alertId, al.level);
      expect([...active.values()].some((l) => l !== AlertLevel.CLEAR)).toBe(true);
      expect(new Set(alerts.map((al) => al.alertId)).size).toBeGreaterThanOrEqual(1);
    }
    a.close();
    c.close();
  });
});

describe("alarm, storage and the ops read path", () => {
  it("writes metrics through the sink, checkpoints state and reloads it after a restart", async () => {
    const key = regionOf(50.11, 8.68, 4); // Frankfurt
    const d = await connect(await token("ffm-1"));
    d.send([{ ...droneAt("ffm-1", 50.11, 8.68, 0, 0, 3, 4), battery: 15 }]);
    await d.waitFor((f) => f.kind.case === "advisory", 5000, "low-battery advisory");
    await eventually(() => inRegion(key, (o) => o.stats.points >= 1));
    expect(await runDurableObjectAlarm(region(key))).toBe(true);
    const points = await inRegion(key, (o) => o.sink.recent().slice());
    const fleet = points.find((p) => p.blobs[0] === "fleet");
    expect(fleet?.indexes).toEqual([key]);
    expect(fleet?.doubles[0]).toBe(1); // active
    expect(points.every((p) => p.blobs.length <= 20 && p.doubles.length <= 20)).toBe(true);
    await abortAllDurableObjects();
    const after = await inRegion(key, (o) => o.stats.points);
    expect(after).toBe(0); // a fresh instance ...
    const r = await ops(`/v1/regions/${key}/drones`);
    const body = (await r.json()) as { drones: { droneId: string; battery: number; lowBatterySent: boolean; vn: number }[] };
    // ... that reloaded the checkpoint before answering.
    expect(body.drones).toHaveLength(1);
    expect(body.drones[0]).toMatchObject({ droneId: "test/ffm-1", battery: 15, lowBatterySent: true, vn: 4 });
    const ev = (await (await ops(`/v1/regions/${key}/events?since=0`)).json()) as { events: { type: string; drone_id: string }[] };
    expect(ev.events.some((e) => e.type === "low_battery" && e.drone_id === "test/ffm-1")).toBe(true);
    d.close();
  });

  it("guards the ops endpoints with an ops token", async () => {
    const key = regionOf(52.52, 13.4, 4);
    expect((await SELF.fetch(`https://airspace.test/v1/regions/${key}/drones`)).status).toBe(401);
    const droneTok = await token("d-ops");
    expect((await SELF.fetch(`https://airspace.test/v1/regions/${key}/drones`, { headers: { Authorization: `Bearer ${droneTok}` } })).status).toBe(403);
    expect((await ops(`/v1/regions/${key}/drones`)).status).toBe(200);
    expect((await ops(`/v1/regions/not-a-geohash!/drones`)).status).toBe(400);
  });

  it("lists regions that were active, with their drones, points a second and open conflicts", async () => {
    const key = regionOf(53.08, 8.8, 4); // Bremen: a cell no other test flies in
    const relay = await connect(await token("relay-brem", "relay"));
    await relay.waitFor((f) => f.kind.case === "welcome");
    const t0 = Date.now();
    // Head-on, 60 m apart, closing at 20 m/s: one open conflict; a third drone far away.
    relay.send([
      droneAt("brem-1", 53.08, 8.8, -30, 0, 10, 0, t0),
      droneAt("brem-2", 53.08, 8.8, 30, 0, -10, 0, t0),
      droneAt("brem-3", 53.08, 8.8, 3000, 0, 0, 0, t0),
    ]);
    await relay.waitFor((f) => f.kind.case === "alert", 5000, "the alert");
    await runDurableObjectAlarm(region(key));
    type Row = { region: string; drones: number; points_per_s: number | null; conflicts: number | null; last_active_ms: number };
    const list = (await (await ops("/v1/regions")).json()) as { regions: Row[] };
    const row = list.regions.find((r) => r.region === key);
    expect(row).toMatchObject({ drones: 3, conflicts: 1 });
    expect(row!.points_per_s).toBeGreaterThan(0);
    // A region of the previous version (mid-deploy) reports drones only: listed, its rates unknown.
    const dir = env.DIRECTORY.get(env.DIRECTORY.idFromName("directory"));
    const old = await dir.fetch(new Request("https://directory/report", { method: "POST", body: JSON.stringify({ region: "zzzz", drones: 4 }) }));
    expect(old.status).toBe(204);
    const again = (await (await ops("/v1/regions")).json()) as { regions: Row[] };
    expect(again.regions).toContainEqual(expect.objectContaining({ region: "zzzz", drones: 4, points_per_s: null, conflicts: null }));
    relay.close();
  });
});

describe("region storage", () => {
  it("deletes a ghost's checkpointed row once the ghost is forgotten", async () => {
    // Paris's cell, east border: no other test flies there.
    const paris = regionOf(48.86, 2.35, 4);
    const pb = regionBounds(paris);
    const plat = (pb.south + pb.north) / 2;
    const relay = await connect(await token("relay-ghost-row", "relay"));
    const p = droneAt("ghost-row-1", plat, pb.east + 300 / (111_120 * Math.cos((plat * Math.PI) / 180)), 0, 0, 0, 0, Date.now());
    relay.send([p]);
    await eventually(() => inRegion(paris, (o) => o.stats.points >= 1), 5000, "the ghost arrived");
    const rows = () =>
      runInDurableObject(region(paris), (_o: RegionObject, state) =>
        state.storage.sql.exec("SELECT ghost FROM drones WHERE drone_id = ?", `test/${p.droneId}`).toArray(),
      );
    await runDurableObjectAlarm(region(paris));
    expect(await rows()).toEqual([{ ghost: 1 }]);
    relay.close();
    // Not forwarded any more: forgotten after max(LOST_AFTER_MS, stale limit) = 3 s, and its row with it.
    await new Promise((r) => setTimeout(r, 3300));
    await runDurableObjectAlarm(region(paris));
    expect(await rows()).toEqual([]);
  });
});
