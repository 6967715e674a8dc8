// Issue 11: an ops token sees its fleet on every ops endpoint (drones, alerts, events, a track, the
// live stream), an all-fleets one ("*") sees every fleet, and the controls that change the shared sky
// for everyone (a region's hub count) need "*".
import { env, runDurableObjectAlarm, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { regionOf } from "../../src/geo/regions.js";
import { type OpsSnapshot, parseOpsFrame } from "../../src/wire/ops-frames.js";
import { connect, droneAt, eventually, token } from "../helpers/client.js";

// Zurich: yy/p-1 meets zz/p-2 (a cross-fleet encounter); zz/q-1 meets zz/q-2 2 km away (zz's alone).
const lat = 47.37;
const lon = 8.54;
const key = regionOf(lat, lon, 4);

const opsToken = (fleet: string) => token(`op-${fleet}`, "ops", 600, { fleet });
async function get(path: string, fleet: string): Promise<Response> {
  return SELF.fetch(`https://airspace.test${path}`, { headers: { Authorization: `Bearer ${await opsToken(fleet)}` } });
}
const json = async <T>(path: string, fleet: string): Promise<T> => (await (await get(path, fleet)).json()) as T;
const mine = (fleet: string) => (id: string) => id.startsWith(`${fleet}/`);

async function firstSnapshot(fleet: string): Promise<OpsSnapshot> {
  const resp = await SELF.fetch(`https://airspace.test/v1/ops/stream?region=${key}`, {
    headers: { Upgrade: "websocket", Authorization: `Bearer ${await opsToken(fleet)}` },
  });
  expect(resp.status).toBe(101);
  const ws = resp.webSocket!;
  ws.accept();
  const snaps: OpsSnapshot[] = [];
  ws.addEventListener("message", (ev) => {
    const s = parseOpsFrame(ev.data);
    if (s) snaps.push(s);
  });
  const snap = await eventually(() => snaps[0], 5000, `${fleet}'s snapshot`);
  ws.close(1000, "done");
  return snap;
}

describe("ops tokens see their fleet on every ops endpoint; '*' sees all", () => {
  it("drones, alerts, events, tracks and the live stream", async () => {
    const y = await connect(await token("gs-y", "relay", 600, { fleet: "yy" }));
    const z = await connect(await token("gs-z", "relay", 600, { fleet: "zz" }));
    const t0 = Date.now();
    y.send([{ ...droneAt("p-1", lat, lon, -30, 0, 10, 0, t0), battery: 12 }]);
    z.send([
      droneAt("p-2", lat, lon, 30, 0, -10, 0, t0),
      { ...droneAt("q-1", lat, lon, 1970, 0, 10, 0, t0), battery: 12 },
      droneAt("q-2", lat, lon, 2030, 0, -10, 0, t0),
    ]);
    await y.waitFor((f) => f.kind.case === "alert", 5000, "yy/p-1's alert");
    await z.waitFor((f) => f.kind.case === "alert" && f.kind.value.droneId === "q-1", 5000, "zz/q-1's alert");
    await runDurableObjectAlarm(env.REGION.get(env.REGION.idFromName(key))); // the tick writes events and the audit

    // Drones: each fleet its own; "*" both.
    type Drones = { drones: { droneId: string }[] };
    const ids = async (fleet: string) => (await json<Drones>(`/v1/regions/${key}/drones`, fleet)).drones.map((d) => d.droneId).sort();
    expect(await ids("yy")).toEqual(["yy/p-1"]);
    expect(await ids("zz")).toEqual(["zz/p-2", "zz/q-1", "zz/q-2"]);
    expect(await ids("*")).toEqual(["yy/p-1", "zz/p-2", "zz/q-1", "zz/q-2"]);

    // The audit: yy sees the encounter its drone is in (with the other fleet's drone), never zz's own.
    type Audit = { alerts: { drone_id: string; other_id: string }[] };
    const rows = async (fleet: string) => (await json<Audit>(`/v1/regions/${key}/alerts?since=0`, fleet)).alerts;
    const yRows = await rows("yy");
    expect(yRows.length).toBeGreaterThan(0);
    expect(yRows.every((r) => mine("yy")(r.drone_id) || mine("yy")(r.other_id))).toBe(true);
    expect(yRows.some((r) => r.drone_id === "zz/p-2" && r.other_id === "yy/p-1")).toBe(true);
    expect((await rows("*")).some((r) => r.drone_id === "zz/q-1")).toBe(true);
    // …even when it asks for the other fleet's drone by name: its name is qualified with its own fleet.
    const asked = await json<Audit>(`/v1/regions/${key}/alerts?since=0&drone=q-1`, "yy");
    expect(asked.alerts).toEqual([]);

    // Events (both low batteries): each fleet's own.
    type Events = { events: { type: string; drone_id: string }[] };
    const events = async (fleet: string) => (await json<Events>(`/v1/regions/${key}/events?since=0`, fleet)).events.map((e) => e.drone_id);
    await eventually(async () => (await events("*")).filter((d) => d === "yy/p-1" || d === "zz/q-1").length >= 2, 5000, "both events");
    const yEvents = await events("yy");
    expect(yEvents).toContain("yy/p-1");
    expect(yEvents.every(mine("yy"))).toBe(true);

    // A track: yy naming q-1 (or zz's full key) asks for yy's q-1, which has none.
    type Track = { droneId: string; samples: unknown[] };
    const yTrack = await json<Track>(`/v1/regions/${key}/drones/q-1/track?since=0`, "yy");
    expect(yTrack).toMatchObject({ droneId: "yy/q-1", samples: [] });
    expect((await json<Track>(`/v1/regions/${key}/drones/zz%2Fq-1/track?since=0`, "yy")).samples).toEqual([]);
    expect((await json<Track>(`/v1/regions/${key}/drones/zz%2Fq-1/track?since=0`, "*")).samples.length).toBeGreaterThan(0);

    // The live stream: drones and encounters of the watcher's fleet only.
    const ys = await firstSnapshot("yy");
    expect(ys.drones.map((d) => d[0])).toEqual(["yy/p-1"]);
    expect(ys.conflicts.every((c) => mine("yy")(c.a) || mine("yy")(c.b))).toBe(true);
    expect(ys.conflicts.length).toBe(1);
    const all = await firstSnapshot("*");
    expect(all.drones.map((d) => d[0]).sort()).toEqual(["yy/p-1", "zz/p-2", "zz/q-1", "zz/q-2"]);
    expect(all.conflicts.length).toBe(2);
    y.close();
    z.close();
  });

  it("pinning a region's hub count needs an all-fleets ops token", async () => {
    const pin = async (tok: string, hubs: string) =>
      SELF.fetch(`https://airspace.test/v1/regions/${key}/hubs?hubs=${hubs}`, { method: "POST", headers: { Authorization: `Bearer ${tok}` } });
    const fleetOp = await pin(await opsToken("yy"), "2");
    expect(fleetOp.status).toBe(403);
    expect(await fleetOp.json()).toMatchObject({ error: "forbidden", detail: 'needs an ops token with fleet "*"' });
    expect((await pin(await token("hub-drone", "drone", 600, { fleet: "yy" }), "2")).status).toBe(403);
    expect((await pin(await token("hub-relay", "relay", 600, { fleet: "yy" }), "2")).status).toBe(403);
    // The refused pins changed nothing; the all-fleets one takes effect at the region's next tick.
    const stub = env.REGION.get(env.REGION.idFromName(key));
    const hubs = async () => (await json<{ hubs: number }>(`/v1/regions/${key}/stats`, "*")).hubs;
    await runDurableObjectAlarm(stub);
    expect(await hubs()).toBe(0);
    expect((await pin(await opsToken("*"), "2")).status).toBe(200);
    await runDurableObjectAlarm(stub);
    expect(await hubs()).toBe(2);
    expect((await pin(await opsToken("*"), "auto")).status).toBe(200);
  });
});
