import { describe, expect, it } from "vitest";
import { DEFAULTS } from "../../src/config.js";
import { fromEnu } from "../../src/geo/enu.js";
import { isComplementary } from "../../src/detect/advisories.js";
import { predict } from "../../src/detect/conflicts.js";
import { seededRandom } from "../../src/sim/seeded-random.js";
import { newCounters, COUNTER_INDEX } from "../../src/wire/counters.js";
import type { TelemetryPoint } from "../../src/wire/point.js";
import { RegionCore, geohashGeometry, type AlertOut, type ProximityOut, type RegionOutput } from "../../src/detect/region-core.js";
import { RESTORE_WAIT_MS } from "../../src/tunables.js";

const LAT0 = 52.52;
const LON0 = 13.4;
const T0 = 1_700_000_000_000;

/** A report `e`, `n` metres from the test origin. */
function at(droneId: string, timeMs: number, e: number, n: number, altM: number, vn: number, ve: number, vu = 0, battery = 80): TelemetryPoint {
  const { lat, lon } = fromEnu(LAT0, LON0, e, n);
  return { droneId, timeMs, lat, lon, altM, vn, ve, vu, battery, seq: -1 };
}

function core(): RegionCore {
  return new RegionCore("u33d", DEFAULTS, "u33d-boot1");
}

const alerts = (o: readonly RegionOutput[]) => o.filter((x): x is AlertOut => x.kind === "alert");
const home = (n: number) => new Uint8Array(n);
const none = newCounters();

describe("RegionCore end to end", () => {
  it("alerts both drones of a collision course once, with complementary manoeuvres and shared numbers", () => {
    const c = core();
    c.applyPoints("link-a", [at("a", T0, 0, 0, 100, 10, 0)], home(1), none, T0);
    c.applyPoints("link-b", [at("b", T0, 0, 60, 101, -10, 0)], home(1), none, T0 + 5);
    const out = alerts(c.drain());
    expect(out.length).toBe(2);
    const [x, y] = out[0]!.droneId === "a" ? [out[0]!, out[1]!] : [out[1]!, out[0]!];
    expect([x.droneId, x.otherId, x.linkId, y.droneId, y.otherId, y.linkId]).toEqual(["a", "b", "link-a", "b", "a", "link-b"]);
    expect(x.alertId).toBe(y.alertId);
    expect(x.alertId.startsWith("u33d-boot1-")).toBe(true);
    expect(x.level).toBe("caution"); // entry at (60 − 15) / 20 = 2.25 s, later than the 2 s warning time
    expect(x.tEntryS).toBeCloseTo(2.25, 1);
    for (const k of ["tEntryS", "tCpaS", "hsepCpaM", "vsepCpaM", "computedForMs"] as const) expect(x[k]).toBe(y[k]);
    expect(isComplementary(x.manoeuvre as never, y.manoeuvre as never)).toBe(true);
    expect(x.other.droneId).toBe("b");
    expect(y.other.altM).toBe(100);
    // The numbers are the contract's (conflicts.ts predict, centred on b whose point arrived last).
    const ref = predict(x.other, y.other, { radiusM: 15, heightM: 5, lookaheadS: 5, warningTimeS: 2 });
    expect(x.tEntryS).toBe(ref.tEntryS);
    expect(x.hsepCpaM).toBe(ref.hsepCpaM);
    expect(c.activeAlerts()).toBe(1);
  });

  it("refreshes at most once per second while it lasts and clears both once after it ends", () => {
    const c = core();
    const sent: AlertOut[] = [];
    // 10 Hz for 3 s: a and b converge at 2 m/s each from 40 m apart, level, then b turns away fast.
    for (let k = 0; k <= 60; k++) {
      const t = T0 + k * 100;
      const s = k * 0.1;
      const bn = k <= 20 ? 40 - 2 * s : 36 + (s - 2) * 20;
      c.applyPoints("L", [at("a", t, 0, 2 * s, 100, 2, 0), at("b", t, 0, bn, 100, k <= 20 ? -2 : 20, 0)], home(2), none, t);
      sent.push(...alerts(c.drain()));
      if (k % 10 === 0) c.tick(t);
    }
    const perDrone = sent.filter((a) => a.droneId === "a");
    expect(perDrone[0]!.level).not.toBe("clear");
    const ids = new Set(perDrone.map((a) => a.alertId));
    expect(ids.size).toBe(1);
    const clears = perDrone.filter((a) => a.level === "clear");
    expect(clears.length).toBe(1);
    expect(clears[0]!.manoeuvre).toBe("none");
    const live = perDrone.filter((a) => a.level !== "clear");
    for (let i = 1; i < live.length; i++) {
      if (live[i]!.level === live[i - 1]!.level) expect(live[i]!.computedForMs - live[i - 1]!.computedForMs).toBeGreaterThanOrEqual(1000);
    }
    expect(sent.filter((a) => a.droneId === "b" && a.level === "clear").length).toBe(1);
    expect(c.activeAlerts()).toBe(0);
  });

  it("does not alert diverging drones", () => {
    const c = core();
    c.applyPoints("L", [at("a", T0, 0, 0, 100, -10, 0), at("b", T0, 0, 20, 100, 10, 0)], home(2), none, T0);
    expect(alerts(c.drain())).toEqual([]);
  });

  it("never alerts nor counts a ghost, and never evaluates two ghosts", () => {
    const c = core();
    c.applyPoints("halo", [at("g1", T0, 0, 60, 100, -10, 0), at("g2", T0, 0, 0, 100, 10, 0)], new Uint8Array([1, 1]), none, T0);
    expect(c.drain().length).toBe(0);
    c.applyPoints("L", [at("h", T0, 0, 1, 100, 10, 0)], home(1), none, T0);
    const out = alerts(c.drain());
    expect(out.map((a) => a.droneId).sort()).toEqual(["h", "h"]); // one alert per pair (h–g1, h–g2), to h only
    expect(new Set(out.map((a) => a.otherId))).toEqual(new Set(["g1", "g2"]));
    const { metrics } = c.tick(T0 + 100);
    expect(metrics.active).toBe(1);
    expect(metrics.new).toBe(1);
    expect(metrics.applied).toBe(1);
    expect(c.space.homeDrones().map((d) => d.droneId)).toEqual(["h"]);
  });

  it("ignores stale states: an old point, and a drone not heard from within the stale limit", () => {
    const c = core();
    c.applyPoints("L", [at("a", T0 + 10_000, 0, 0, 100, 10, 0)], home(1), none, T0 + 10_000);
    // b's measurement is 3.5 s older than a's: the pair is never propagated that far, so no alert.
    c.applyPoints("L", [at("b", T0 + 6_500, 0, 60, 100, -10, 0)], home(1), none, T0 + 10_000);
    expect(c.drain().filter((o) => o.kind === "alert")).toEqual([]);
    // A conflict, then both fall silent: neither is told "clear" (nothing says the conflict is over),
    // and the encounter stays open until they report again or are forgotten.
    c.applyPoints("L", [at("c", T0 + 10_000, 0, 40, 100, -10, 0)], home(1), none, T0 + 10_000);
    expect(alerts(c.drain()).length).toBe(2);
    c.tick(T0 + 12_000);
    c.tick(T0 + 13_001);
    expect(alerts(c.drain())).toEqual([]);
    expect(c.activeAlerts()).toBe(1);
  });

  it("tells a drone its traffic was lost instead of clear, keeps the encounter open, and resumes it when the traffic is back", () => {
    const c = core();
    // a flies north, b south, 90 m apart closing at 20 m/s: caution (entry in 3.75 s).
    c.applyPoints("link-a", [at("a", T0, 0, 0, 100, 10, 0)], home(1), none, T0);
    c.applyPoints("link-b", [at("b", T0, 0, 90, 100, -10, 0)], home(1), none, T0);
    const start = alerts(c.drain());
    expect(start.map((x) => [x.droneId, x.level])).toEqual([
      ["a", "caution"],
      ["b", "caution"],
    ]);
    // b falls silent; a reports on. Within the stale limit a is still alerted from b's propagated state.
    for (const k of [1, 2, 3]) c.applyPoints("link-a", [at("a", T0 + k * 1000, 0, k * 10, 100, 10, 0)], home(1), none, T0 + k * 1000);
    expect(alerts(c.drain()).every((x) => x.level === "caution" || x.level === "warning")).toBe(true);
    // Past it, a is told the traffic was lost, once, with b's last known state and its age; b is told nothing.
    c.applyPoints("link-a", [at("a", T0 + 3500, 0, 35, 100, 10, 0)], home(1), none, T0 + 3500);
    c.tick(T0 + 3600);
    c.applyPoints("link-a", [at("a", T0 + 3700, 0, 37, 100, 10, 0)], home(1), none, T0 + 3700);
    const lost = alerts(c.drain());
    expect(lost.map((x) => [x.droneId, x.otherId, x.level, x.alertId])).toEqual([["a", "b", "traffic_lost", start[0]!.alertId]]);
    expect(lost[0]!.otherAgeMs).toBe(3500);
    expect(lost[0]!.other.lat).toBeCloseTo(start[0]!.other.lat, 9);
    expect(lost[0]!.manoeuvre).toBe(start[0]!.manoeuvre);
    expect(c.activeAlerts()).toBe(1);
    // b reports again, 10 m from a and closing: the same encounter resumes, both told its level now.
    c.applyPoints("link-b", [at("b", T0 + 4000, 0, 50, 100, -10, 0)], home(1), none, T0 + 4000);
    const back = alerts(c.drain());
    expect(back.map((x) => [x.droneId, x.level, x.alertId])).toEqual([
      ["a", "warning", start[0]!.alertId],
      ["b", "warning", start[0]!.alertId],
    ]);
  });

  it("ends an encounter whose lost drone is forgotten (evicted) with a clear", () => {
    const c = core();
    c.applyPoints("link-a", [at("a", T0, 0, 0, 100, 10, 0)], home(1), none, T0);
    c.applyPoints("link-b", [at("b", T0, 0, 90, 100, -10, 0)], home(1), none, T0);
    c.drain();
    c.applyPoints("link-a", [at("a", T0 + 3500, 0, 35, 100, 0, 0)], home(1), none, T0 + 3500);
    expect(alerts(c.drain()).map((x) => x.level)).toEqual(["traffic_lost"]);
    // a hovers and keeps reporting; b is never heard again and is evicted after EVICT_AFTER_MS.
    const evictAt = T0 + DEFAULTS.evictAfterMs + 1000;
    c.applyPoints("link-a", [at("a", evictAt - 500, 0, 35, 100, 0, 0)], home(1), none, evictAt - 500);
    c.tick(evictAt);
    // Both sides were alerted, so both get the clear (b's link, if it ever comes back, too).
    expect(alerts(c.drain()).map((x) => [x.droneId, x.level])).toEqual([
      ["a", "clear"],
      ["b", "clear"],
    ]);
    expect(c.activeAlerts()).toBe(0);
  });

  it("counts home points that arrive late or past the stale limit and tells their link once per tick", () => {
    const c = core();
    const now = T0 + 10_000;
    c.applyPoints(
      "link-a",
      [at("a", now - 3500, 0, 0, 100, 0, 0), at("b", now - 4000, 500, 0, 100, 0, 0), at("c", now - 100, 900, 0, 100, 0, 0)],
      home(3),
      none,
      now,
    );
    c.applyPoints("link-a", [at("a", now - 3400, 0, 0, 100, 0, 0)], home(1), none, now + 10);
    c.applyPoints("link-b", [at("d", now - 3200, 2000, 0, 100, 0, 0)], Uint8Array.of(1), none, now + 20); // a ghost: its home region says so
    expect(c.drain().filter((o) => o.kind === "stale")).toEqual([]); // the notices wait for the tick
    c.applyPoints("link-c", [at("e", now - 1500, 3000, 0, 100, 0, 0)], home(1), none, now + 30); // late, still usable
    const { metrics } = c.tick(now + 500);
    expect([metrics.staleOnArrival, metrics.lateOnArrival]).toEqual([3, 4]);
    expect(c.drain().filter((o) => o.kind === "stale")).toEqual([
      { kind: "stale", linkId: "link-a", droneId: "a", points: 3, stale: 3, maxAgeMs: 4000 },
      { kind: "stale", linkId: "link-c", droneId: "e", points: 1, stale: 0, maxAgeMs: 1530 },
    ]);
    c.tick(now + 1500);
    expect(c.drain().filter((o) => o.kind === "stale")).toEqual([]);
  });

  it("alerts a drone that joins an encounter late (ghost at the start, home now) at once", () => {
    const c = core();
    const ghost = new Uint8Array([1]);
    c.applyPoints("L2", [at("b", T0, 0, 10, 100, 0, 0)], ghost, none, T0);
    c.applyPoints("L1", [at("a", T0, 0, 0, 100, 0, 0)], home(1), none, T0);
    expect(alerts(c.drain()).map((x) => x.droneId)).toEqual(["a"]);
    // b's home moves here 100 ms later: it must not wait for the next once-a-second refresh.
    c.applyPoints("L2", [at("b", T0 + 100, 0, 10, 100, 0, 0)], home(1), none, T0 + 100);
    const late = alerts(c.drain());
    expect(late.map((x) => [x.droneId, x.linkId])).toEqual([["b", "L2"]]);
    expect(late[0]!.level).not.toBe("clear");
  });

  it("re-sends an encounter to a drone that comes back on a new link", () => {
    const c = core();
    c.applyPoints("L1", [at("a", T0, 0, 0, 100, 0, 0)], home(1), none, T0);
    c.applyPoints("L2", [at("b", T0, 0, 10, 100, 0, 0)], home(1), none, T0);
    expect(
      alerts(c.drain())
        .map((x) => x.linkId)
        .sort(),
    ).toEqual(["L1", "L2"]);
    // b's gateway session ended and it reconnected: its next point comes on L3.
    c.applyPoints("L3", [at("b", T0 + 100, 0, 10, 100, 0, 0)], home(1), none, T0 + 100);
    expect(alerts(c.drain()).map((x) => [x.droneId, x.linkId])).toEqual([["b", "L3"]]);
  });

  it("alerts exactly the pairs the contract puts in conflict (brute force over a dense seeded swarm)", () => {
    const rnd = seededRandom(11);
    const c = core();
    const pts: TelemetryPoint[] = [];
    for (let i = 0; i < 400; i++) {
      const speed = rnd() * 20;
      const tr = rnd() * 2 * Math.PI;
      pts.push(
        at(
          `s${i}`,
          T0 + Math.floor(rnd() * 500),
          (rnd() - 0.5) * 1500,
          (rnd() - 0.5) * 1500,
          60 + rnd() * 20,
          speed * Math.cos(tr),
          speed * Math.sin(tr),
          (rnd() - 0.5) * 2,
        ),
      );
    }
    c.applyPoints("L", pts, home(pts.length), none, T0 + 500);
    const got = new Set(
      alerts(c.drain())
        .filter((a) => a.level !== "clear")
        .map((a) => [a.droneId, a.otherId].sort().join("|")),
    );
    const want = new Set<string>();
    const params = { radiusM: 15, heightM: 5, lookaheadS: 5, warningTimeS: 2 };
    for (let i = 0; i < pts.length; i++)
      for (let j = i + 1; j < pts.length; j++) if (predict(pts[i]!, pts[j]!, params).conflict) want.add([pts[i]!.droneId, pts[j]!.droneId].sort().join("|"));
    expect(want.size).toBeGreaterThan(20);
    expect(got).toEqual(want);
  });

  it("keeps alerting the rest of the region when one drone's clock runs ahead", () => {
    const c = core();
    // A drone whose clock is 8 s fast (accepted by the gateway up to MAX_FUTURE_MS) ...
    c.applyPoints("L", [at("fast", T0 + 18_000, 5000, 5000, 100, 0, 0)], home(1), none, T0 + 10_000);
    // ... must not make a correctly clocked pair look stale.
    c.applyPoints("L", [at("a", T0 + 10_000, 0, 0, 100, 10, 0), at("b", T0 + 10_000, 0, 60, 100, -10, 0)], home(2), none, T0 + 10_000);
    expect(
      alerts(c.drain())
        .map((a) => a.droneId)
        .sort(),
    ).toEqual(["a", "b"]);
  });

  it("raises lost, recovered, evicted and one low-battery advisory", () => {
    const c = core();
    c.applyPoints("L", [at("a", T0, 0, 0, 100, 0, 0, 0, 25)], home(1), none, T0);
    c.applyPoints("L", [at("a", T0 + 100, 0, 0, 100, 0, 0, 0, 19)], home(1), none, T0 + 100);
    c.applyPoints("L", [at("a", T0 + 200, 0, 0, 100, 0, 0, 0, 18)], home(1), none, T0 + 200);
    const adv = c.drain().filter((o) => o.kind === "advisory");
    expect(adv).toEqual([expect.objectContaining({ kind: "advisory", linkId: "L", droneId: "a", advisory: "low_battery_rth", timeMs: T0 + 100 })]);
    let r = c.tick(T0 + 1000);
    expect(r.events.map((e) => e.type)).toEqual(["low_battery"]);
    r = c.tick(T0 + 3300);
    expect(r.events).toEqual([{ type: "lost", droneId: "a", atMs: T0 + 3300 }]);
    expect(r.metrics.lost).toBe(1);
    expect(r.metrics.active).toBe(0);
    c.applyPoints("L", [at("a", T0 + 4000, 0, 0, 100, 0, 0, 0, 18)], home(1), none, T0 + 4000);
    expect(c.tick(T0 + 4100).events.map((e) => e.type)).toEqual(["recovered"]);
    r = c.tick(T0 + 4000 + DEFAULTS.evictAfterMs + 1);
    expect(r.events).toEqual([{ type: "evicted", droneId: "a", atMs: T0 + 4000 + DEFAULTS.evictAfterMs + 1 }]); // four points: not brief
    expect(c.space.homeDrones()).toEqual([]);
    expect(c.evictedDrones()).toEqual(["a"]);
  });

  it("forgets invented ids (one report each) BRIEF_EVICT_AFTER_MS after they went silent, their evictions marked brief; a real drone stays", () => {
    const c = core();
    // 50 ids reported once each, 100 m apart (no encounters), and a real drone that flew 5 s and dropped out.
    c.applyPoints(
      "relay",
      Array.from({ length: 50 }, (_, i) => at(`x${i}`, T0, 200 + (i % 10) * 100, Math.floor(i / 10) * 100, 100, 0, 0)),
      home(50),
      none,
      T0,
    );
    for (let k = 0; k < 5; k++) c.applyPoints("real", [at("real", T0 + k * 1000, -500, 0, 100, 0, 0)], home(1), none, T0 + k * 1000);
    c.drain();
    let r = c.tick(T0 + 3500);
    expect(r.events.filter((e) => e.type === "lost" && e.brief === undefined).length).toBe(50);
    r = c.tick(T0 + 8500);
    expect(r.events).toEqual([{ type: "lost", droneId: "real", atMs: T0 + 8500 }]);
    expect(c.evictedDrones()).toEqual([]);
    r = c.tick(T0 + DEFAULTS.briefEvictAfterMs + 1);
    expect(r.events.length).toBe(50);
    expect(r.events.every((e) => e.type === "evicted" && e.brief === true)).toBe(true); // the shell drops their rows
    expect(c.evictedDrones().length).toBe(50);
    expect(c.space.homeDrones().map((d) => [d.droneId, d.status])).toEqual([["real", "lost"]]);
    // The real drone is kept its full EVICT_AFTER_MS, and recovers as itself when it is back.
    c.applyPoints("real", [at("real", T0 + 300_000, -500, 0, 100, 0, 0)], home(1), none, T0 + 300_000);
    expect(c.tick(T0 + 300_100).events).toEqual([{ type: "recovered", droneId: "real", atMs: T0 + 300_000 }]);
  });

  it("emits a link's proximity set only when it changes, and a nearest-neighbour distance", () => {
    const c = core();
    const prox = (o: readonly RegionOutput[]) => o.filter((x): x is ProximityOut => x.kind === "proximity").map((x) => ({ ...x, droneIds: x.droneIds.sort() }));
    c.applyPoints("L", [at("a", T0, 0, 0, 100, 0, 0), at("b", T0, 100, 0, 100, 0, 0)], home(2), none, T0);
    expect(prox(c.drain())).toEqual([]);
    expect(c.space.nearestNeighbourM("a")).toBeGreaterThan(30); // a lower bound, nothing within 2R
    c.applyPoints("L", [at("b", T0 + 100, 20, 0, 120, 0, 0)], home(1), none, T0 + 100);
    expect(prox(c.drain())).toEqual([{ kind: "proximity", linkId: "L", droneIds: ["a", "b"] }]);
    expect(c.space.nearestNeighbourM("b")).toBeCloseTo(20, 0);
    c.applyPoints("L", [at("b", T0 + 200, 21, 0, 120, 0, 0)], home(1), none, T0 + 200);
    expect(prox(c.drain())).toEqual([]);
    c.applyPoints("L", [at("b", T0 + 300, 200, 0, 120, 0, 0), at("a", T0 + 300, 0, 0, 100, 0, 0)], home(2), none, T0 + 300);
    expect(prox(c.drain())).toEqual([{ kind: "proximity", linkId: "L", droneIds: [] }]);
    expect(c.space.nearestNeighbourM("nobody")).toBeUndefined();
  });

  it("checkpoints dirty drones and restores them after a restart", () => {
    const c = core();
    c.applyPoints("L", [at("a", T0, 0, 0, 100, 1, 2, 0.5, 15), at("b", T0, 300, 0, 100, 0, 0)], home(2), none, T0);
    const snaps = c.space.takeDirty();
    expect(snaps.map((s) => s.droneId).sort()).toEqual(["a", "b"]);
    expect(c.space.takeDirty()).toEqual([]);
    const a = snaps.find((s) => s.droneId === "a")!;
    expect(a).toMatchObject({ linkId: "L", ghost: false, timeMs: T0, altM: 100, battery: 15, status: "active", lowBatterySent: true });
    const c2 = new RegionCore("u33d", DEFAULTS, "u33d-boot2");
    c2.space.restore(snaps, T0 + 500, DEFAULTS.evictAfterMs);
    expect(c2.space.homeDrones()).toEqual(c.space.homeDrones());
    // No second low-battery advisory after the restart; prediction works against restored state.
    c2.applyPoints("L", [at("a", T0 + 600, 0, 0, 100, 1, 2, 0.5, 14), at("c", T0 + 600, 0, 50, 100, -10, 0)], home(2), none, T0 + 600);
    const out = c2.drain();
    expect(out.filter((o) => o.kind === "advisory")).toEqual([]);
    expect(alerts(out).every((x) => x.alertId.startsWith("u33d-boot2-"))).toBe(true);
    expect(alerts(out).length).toBe(2);
  });

  it("resumes a restored encounter under its id once both drones are back, even if neither was checkpointed", () => {
    const c = new RegionCore("u33d", DEFAULTS, "u33d-boot2");
    const restored = { alertId: "u33d-boot1-7", droneA: "a", droneB: "b", level: "caution" as const, sentA: "climb" as const, sentB: "descend" as const };
    expect(c.restoreAlerts([restored], T0)).toBe(0); // nobody is back yet
    c.applyPoints("link-a", [at("a", T0 + 100, 0, 0, 100, 10, 0)], home(1), none, T0 + 100);
    expect(alerts(c.drain())).toEqual([]);
    c.applyPoints("link-b", [at("b", T0 + 150, 0, 60, 101, -10, 0)], home(1), none, T0 + 150);
    // The pair conflicts again: whatever is sent continues the old encounter (here b's changed
    // manoeuvre; a's unchanged caution waits for the refresh), and no new encounter starts.
    const out = alerts(c.drain());
    expect(out.length).toBeGreaterThan(0);
    expect(out.every((x) => x.alertId === "u33d-boot1-7")).toBe(true);
    expect(c.activeAlerts()).toBe(1);
    c.applyPoints("link-a", [at("a", T0 + 1200, 0, 11, 100, 10, 0)], home(1), none, T0 + 1200);
    expect(alerts(c.drain()).map((x) => [x.droneId, x.alertId])).toEqual([
      ["a", "u33d-boot1-7"],
      ["b", "u33d-boot1-7"],
    ]);
  });

  it("lets a restored encounter go once its wait is over", () => {
    const c = new RegionCore("u33d", DEFAULTS, "u33d-boot2");
    c.restoreAlerts([{ alertId: "old-1", droneA: "a", droneB: "b", level: "warning", sentA: "none", sentB: "none" }], T0);
    c.tick(T0 + RESTORE_WAIT_MS + 1);
    c.applyPoints(
      "L",
      [at("a", T0 + RESTORE_WAIT_MS + 100, 0, 0, 100, 10, 0), at("b", T0 + RESTORE_WAIT_MS + 100, 0, 60, 101, -10, 0)],
      home(2),
      none,
      T0 + RESTORE_WAIT_MS + 100,
    );
    const out = alerts(c.drain());
    expect(out).toHaveLength(2);
    expect(out.every((x) => x.alertId.startsWith("u33d-boot2-"))).toBe(true);
  });

  it("refuses a batch whole when its link cannot be taken: nothing half-applied, counters not summed", () => {
    const c = core();
    // Fill the link table: 65,535 links each carrying one home drone.
    for (let i = 0; i < 0xffff; i++) c.applyPoints(`fill-${i}`, [at(`f${i}`, T0, (i % 250) * 40, Math.floor(i / 250) * 40, 100, 0, 0)], home(1), none, T0);
    c.drain();
    const counters = newCounters();
    counters[COUNTER_INDEX.accepted] = 7;
    const batch = [at("ghost-first", T0 + 100, -500, -500, 100, 0, 0), at("home-second", T0 + 100, -600, -600, 100, 0, 0)];
    expect(() => c.applyPoints("one-too-many", batch, Uint8Array.of(1, 0), counters, T0 + 100)).toThrow(RangeError);
    expect(c.space.fleet.slotOf("ghost-first")).toBe(-1);
    expect(c.space.fleet.slotOf("home-second")).toBe(-1);
    expect(c.tick(T0 + 200).metrics.accepted).toBe(0);
  });

  it("sums gateway counter deltas into the second's metrics", () => {
    const c = core();
    const d = newCounters();
    d[COUNTER_INDEX.received] = 5;
    d[COUNTER_INDEX.accepted] = 4;
    c.applyPoints("L", [at("a", T0, 0, 0, 100, 0, 0)], home(1), d, T0);
    c.applyPoints("L", [], home(0), d, T0 + 10);
    const m = c.tick(T0 + 1000).metrics;
    expect([m.received, m.accepted, m.applied]).toEqual([10, 8, 1]);
    expect(m.densityPerKm2).toBeCloseTo(1 / geohashGeometry("u33d")!.areaKm2, 9);
  });

  it("stamps an encounter's first alerts with the gateway receive time of the report that started it, and only those", () => {
    const c = core();
    c.applyPoints("L1", [at("a", T0, 0, 0, 100, 0, 0)], home(1), none, T0 + 20, [T0 + 3]);
    c.applyPoints("L2", [at("x", T0, 900, 900, 100, 0, 0), at("b", T0, 0, 10, 100, 0, 0)], home(2), none, T0 + 30, [T0 + 4, T0 + 7]);
    const first = alerts(c.drain());
    expect(first.map((x) => [x.droneId, x.edgeReceivedMs])).toEqual([
      ["a", T0 + 7],
      ["b", T0 + 7],
    ]);
    // Refreshes, re-sends to a new link and clears are not the start: no stamp.
    c.applyPoints("L3", [at("b", T0 + 1500, 0, 10, 100, 0, 0)], home(1), none, T0 + 1500, [T0 + 1500]);
    c.applyPoints("L1", [at("a", T0 + 1500, 0, 0, 100, 0, 0)], home(1), none, T0 + 1510, [T0 + 1505]);
    const later = alerts(c.drain());
    expect(later.length).toBeGreaterThan(0);
    for (const x of later) expect(x.edgeReceivedMs).toBe(0);
    // Without receive times (an older gateway, the journal after a restart): 0, never a guess.
    const d = core();
    d.applyPoints("L1", [at("a", T0, 0, 0, 100, 0, 0)], home(1), none, T0);
    d.applyPoints("L2", [at("b", T0, 0, 10, 100, 0, 0)], home(1), none, T0);
    for (const x of alerts(d.drain())) expect(x.edgeReceivedMs).toBe(0);
  });

  it("reports the edge-side alert latencies the shell hands it, per second and since start", () => {
    const c = core();
    c.metrics.recordAlertLatencies([10, 12, 400]);
    c.metrics.recordAlertLatencies(Float32Array.from([11, Number.NaN, -5]));
    const m = c.tick(T0 + 1000).metrics;
    expect(m.alertLatencySamples).toBe(4);
    expect(m.alertLatencyP50Ms).toBeGreaterThanOrEqual(11);
    expect(m.alertLatencyP50Ms).toBeLessThanOrEqual(11 * 1.09);
    expect(m.alertLatencyP99Ms).toBeGreaterThanOrEqual(400);
    expect(m.alertLatencyP99Ms).toBeLessThanOrEqual(400 * 1.09);
    const next = c.tick(T0 + 2000).metrics;
    expect(next.alertLatencySamples).toBe(0);
    expect(next.alertLatencyP50Ms).toBeNaN();
    expect(c.metrics.alertLatencyStats().alertLatencySamples).toBe(4);
  });

  it("runs 10,000 drones at realistic spacing (smoke test)", () => {
    let seed = 7;
    const rnd = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 4294967296;
    };
    const c = core();
    const n = 10_000;
    const pts: TelemetryPoint[] = [];
    for (let i = 0; i < n; i++) {
      const cl = i % 4 === 0; // a quarter in 25 clusters of 400 m
      const e = cl ? (i % 25) * 800 - 10_000 + (rnd() - 0.5) * 400 : (rnd() - 0.5) * 20_000;
      const nn = cl ? (i % 7) * 2_000 - 7_000 + (rnd() - 0.5) * 400 : (rnd() - 0.5) * 20_000;
      pts.push(at(`d${i}`, T0, e, nn, 30 + rnd() * 90, (rnd() - 0.5) * 30, (rnd() - 0.5) * 30, (rnd() - 0.5) * 2, 30 + rnd() * 70));
    }
    for (let k = 0; k < 3; k++) {
      const t = T0 + k * 100;
      for (let i = 0; i < n; i += 250) {
        const batch = pts.slice(i, i + 250).map((p) => ({ ...p, timeMs: t, lat: p.lat + (k * p.vn * 0.1) / 111_000 }));
        c.applyPoints(`link-${i % 8}`, batch, home(batch.length), none, t);
      }
    }
    const out = c.drain();
    const m = c.tick(T0 + 1000).metrics;
    expect(m.active).toBe(n);
    expect(m.applied).toBe(3 * n);
    expect(m.heatmap.length).toBe(10);
    expect(c.space.memory().typedBytesPerSlot).toBeLessThanOrEqual(256);
    // Every live alert pairs up: two per encounter, same id, complementary.
    const byId = new Map<string, AlertOut[]>();
    for (const a of alerts(out)) if (a.level !== "clear") byId.set(a.alertId, [...(byId.get(a.alertId) ?? []), a]);
    for (const [, list] of byId) {
      const start = list.slice(0, 2);
      expect(start[0]!.otherId).toBe(start[1]!.droneId);
      expect(isComplementary(start[0]!.manoeuvre as never, start[1]!.manoeuvre as never)).toBe(true);
    }
  });
});
