// The operators' live view through the real gateway and region: the ops stream (who may open it, a
// snapshot with a staged conflict and its events), a drone's track, and the alert history's pages.
import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { regionOf } from "../../src/geo/regions.js";
import { type OpsSnapshot, parseOpsFrame } from "../../src/wire/ops-frames.js";
import { connect, droneAt, eventually, token } from "../helpers/client.js";

function region(key: string) {
  return env.REGION.get(env.REGION.idFromName(key));
}

async function openStream(key: string, tok: string): Promise<Response> {
  return SELF.fetch(`https://airspace.test/v1/ops/stream?region=${key}`, {
    headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": `airspace.v1, bearer.${tok}` },
  });
}

/** The snapshots a watcher receives, and a bounded wait for one that satisfies a predicate. */
function watch(resp: Response) {
  const ws = resp.webSocket!;
  ws.accept();
  const snaps: OpsSnapshot[] = [];
  let bad = 0;
  ws.addEventListener("message", (ev) => {
    const s = parseOpsFrame(ev.data);
    if (s) snaps.push(s);
    else bad++;
  });
  return {
    snaps,
    bad: () => bad,
    waitFor: (pred: (s: OpsSnapshot) => boolean, what: string) => eventually(() => snaps.find(pred), 5000, what),
    send: (data: string) => ws.send(data),
    close: () => ws.close(1000, "done"),
  };
}

async function opsGet(path: string): Promise<Response> {
  return SELF.fetch(`https://airspace.test${path}`, { headers: { Authorization: `Bearer ${await token("ops-hist", "ops")}` } });
}

describe("ops stream: who may open it", () => {
  const key = regionOf(50.94, 6.96, 4); // Cologne

  it("refuses a socket without a token, with a bad one, and with a drone's", async () => {
    const none = await SELF.fetch(`https://airspace.test/v1/ops/stream?region=${key}`, { headers: { Upgrade: "websocket" } });
    expect(none.status).toBe(401);
    const bad = await openStream(key, "not.a.token");
    expect(bad.status).toBe(401);
    expect(bad.webSocket).toBeNull();
    const forged = await openStream(key, `${(await token("ops-x", "ops")).slice(0, -4)}AAAA`);
    expect(forged.status).toBe(401);
    const drone = await openStream(key, await token("drone-7"));
    expect(drone.status).toBe(403);
    expect(((await drone.json()) as { error: string }).error).toBe("forbidden");
  });

  it("refuses a plain request and a region that is not a geohash key", async () => {
    const tok = await token("ops-1", "ops");
    const plain = await SELF.fetch(`https://airspace.test/v1/ops/stream?region=${key}`, { headers: { Authorization: `Bearer ${tok}` } });
    expect(plain.status).toBe(426);
    const badRegion = await openStream("not-a-cell!", tok);
    expect(badRegion.status).toBe(400);
  });
});

describe("ops stream: what a watcher sees", () => {
  it("sends a snapshot at once, then one a tick with the staged conflict, its drones' states and the alert", async () => {
    const lat = 52.37; // Hanover's cell
    const lon = 9.73;
    const key = regionOf(lat, lon, 4);
    const resp = await openStream(key, await token("ops-1", "ops"));
    expect(resp.status).toBe(101);
    expect(resp.headers.get("Sec-WebSocket-Protocol")).toBe("airspace.v1");
    const w = watch(resp);
    const first = await w.waitFor(() => true, "the first snapshot");
    expect(first).toMatchObject({ region: key, drones: [], conflicts: [], metrics: null });

    const relay = await connect(await token("relay-ops", "relay"));
    await relay.waitFor((f) => f.kind.case === "welcome");
    const t0 = Date.now();
    // Head-on, 60 m apart, closing at 20 m/s: entry in 2.25 s, a caution; a third drone far away with a low battery.
    relay.send([
      droneAt("ops-a", lat, lon, -30, 0, 10, 0, t0),
      droneAt("ops-b", lat, lon, 30, 0, -10, 0, t0),
      { ...droneAt("ops-c", lat, lon, 2000, 0, 0, 0, t0), battery: 12 },
    ]);
    await relay.waitFor((f) => f.kind.case === "alert", 5000, "the alert to a drone");

    await runDurableObjectAlarm(region(key));
    const ticked = await w.waitFor((s) => s.metrics !== null, "a snapshot after the tick");
    expect(ticked.conflicts).toHaveLength(1);
    const c = ticked.conflicts[0]!;
    // The ops view names drones by their edge key, fleet/droneId (the test tokens' fleet is "test").
    expect([c.a, c.b]).toEqual(["test/ops-a", "test/ops-b"]);
    expect(c.level).toBe("caution");
    expect(c.tEntryS).toBeGreaterThanOrEqual(0);
    expect(c.tEntryS).toBeLessThanOrEqual(2.3);
    const state = new Map(ticked.drones.map((d) => [d[0], d[8]]));
    expect(state.get("test/ops-a")).toBe("caution");
    expect(state.get("test/ops-c")).toBe("low_battery");
    const a = ticked.drones.find((d) => d[0] === "test/ops-a")!;
    expect(a[4]).toBe(90); // heading east
    expect(a[5]).toBeCloseTo(10, 5);
    // The encounter's start appears once however many copies and refreshes went to drones; the advisory too.
    const alerts = ticked.events.filter((e) => e.kind === "alert");
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ alertId: c.alertId, level: "caution" });
    expect(ticked.events.some((e) => e.kind === "advisory" && e.droneId === "test/ops-c")).toBe(true);
    expect(ticked.metrics!.active).toBe(3);
    expect(w.bad()).toBe(0);
    w.send("anything");
    // A watcher that sends something is ignored, not closed, and the region's links are not confused by it.
    const stats = (await (await opsGet(`/v1/regions/${key}/stats`)).json()) as { links: number };
    expect(stats.links).toBe(1);
    w.close();
    relay.close();
  });
});

describe("ops stream: hibernation", () => {
  it("a watcher alone does not keep a region awake: no alarm for an empty region it watches", async () => {
    const key = regionOf(47.37, 8.54, 4); // Zurich's cell: no drone flies there in these tests
    const resp = await openStream(key, await token("ops-sleep", "ops"));
    expect(resp.status).toBe(101);
    const w = watch(resp);
    const first = await w.waitFor(() => true, "the first snapshot");
    expect(first.drones).toEqual([]);
    const alarm = await runInDurableObject(region(key), (_o, state) => state.storage.getAlarm());
    expect(alarm).toBeNull();
    w.close();
  });
});

describe("history: a drone's track and the alert audit", () => {
  it("keeps a sample a second per drone and pages the audit by drone", async () => {
    const lat = 51.05; // Dresden's cell
    const lon = 13.74;
    const key = regionOf(lat, lon, 4);
    const relay = await connect(await token("relay-hist", "relay"));
    await relay.waitFor((f) => f.kind.case === "welcome");
    // Three reports a second apart, in real time (the region's clock judges staleness), each followed by a tick.
    const times: number[] = [];
    for (let k = 0; k < 3; k++) {
      if (k > 0) await new Promise((r) => setTimeout(r, times[k - 1]! + 1000 - Date.now()));
      const t = Date.now();
      times.push(t);
      relay.send([
        droneAt("h-a", lat, lon, -30 + k * 10, 0, 10, 0, t),
        droneAt("h-b", lat, lon, 30 - k * 10, 0, -10, 0, t),
        droneAt("h-far", lat, lon, 3000, 0, 0, 0, t),
      ]);
      await eventually(async () => {
        const d = (await (await opsGet(`/v1/regions/${key}/drones`)).json()) as { drones: { droneId: string; timeMs: number }[] };
        return d.drones.filter((x) => x.timeMs === t).length === 3;
      });
      await runDurableObjectAlarm(region(key));
    }
    const trackResp = await opsGet(`/v1/regions/${key}/drones/test%2Fh-a/track?since=0`);
    const track = (await trackResp.json()) as {
      samples: { timeMs: number; lat: number; lon: number; altM: number }[];
    };
    expect(track.samples.map((s) => s.timeMs)).toEqual(times);
    expect(track.samples[0]!.altM).toBe(100);
    // The same track a sample a page, following `next`.
    const paged: number[] = [];
    let since: number | null = 0;
    while (since !== null && paged.length < 10) {
      const p = (await (await opsGet(`/v1/regions/${key}/drones/test%2Fh-a/track?since=${since}&limit=1`)).json()) as {
        samples: { timeMs: number }[];
        next: number | null;
      };
      paged.push(...p.samples.map((s) => s.timeMs));
      since = p.next;
    }
    expect(paged).toEqual(times);
    const unknown = (await (await opsGet(`/v1/regions/${key}/drones/test%2Fnobody/track`)).json()) as { samples: unknown[] };
    expect(unknown.samples).toEqual([]);
    expect((await opsGet(`/v1/regions/${key}/drones/test%2F${"x".repeat(65)}/track`)).status).toBe(400);
    // An all-fleets operator names a drone with its fleet.
    expect((await opsGet(`/v1/regions/${key}/drones/h-a/track`)).status).toBe(400);
    expect((await opsGet(`/v1/regions/${key}/dronesX`)).status).toBe(404);

    // The audit: h-a's rows one per page, following `next`; h-far has none.
    const page = async (q: string) =>
      (await (await opsGet(`/v1/regions/${key}/alerts?since=0&${q}`)).json()) as {
        alerts: { id: number; ts_ms: number; drone_id: string; other_id: string }[];
        next: number | null;
      };
    const all = await page("drone=test%2Fh-a");
    expect(all.alerts.length).toBeGreaterThanOrEqual(2);
    expect(all.alerts.every((r) => r.drone_id === "test/h-a" || r.other_id === "test/h-a")).toBe(true);
    const seen: number[] = [];
    let next: number | null = 0;
    while (next !== null && seen.length < 50) {
      const p = await page(`drone=test%2Fh-a&limit=1&after=${next}`);
      seen.push(...p.alerts.map((r) => r.id));
      next = p.next;
    }
    expect(seen).toEqual(all.alerts.map((r) => r.id));
    expect((await page("drone=test%2Fh-far")).alerts).toEqual([]);
    expect((await page(`until=${times[0]! - 60_000}`)).alerts).toEqual([]);
    // `until` cuts the history between rows ([since, until)): just past the first row's time keeps the
    // rows of that moment and drops every later one.
    const cut = all.alerts[0]!.ts_ms + 1;
    expect(all.alerts.filter((r) => r.ts_ms >= cut).length, "rows after the first (escalations, refreshes)").toBeGreaterThan(0);
    const early = await page(`drone=test%2Fh-a&until=${cut}`);
    expect(early.alerts.length).toBeGreaterThan(0);
    expect(early.alerts.map((r) => r.id)).toEqual(all.alerts.filter((r) => r.ts_ms < cut).map((r) => r.id));
    // Bad numbers fall back to defaults rather than failing.
    expect((await opsGet(`/v1/regions/${key}/alerts?since=x&until=y&limit=-3&after=z`)).status).toBe(200);
    const drone = await SELF.fetch(`https://airspace.test/v1/regions/${key}/drones/h-a/track`, { headers: { Authorization: `Bearer ${await token("h-a")}` } });
    expect(drone.status).toBe(403);
    relay.close();
  });
});
