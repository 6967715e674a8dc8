import { describe, expect, it } from "vitest";
import { predict } from "../../src/detect/conflicts.js";
import { FleetSim, type SimPoint } from "../../src/sim/fleet.js";

const contract = { radiusM: 15, heightM: 5, lookaheadS: 5 };
const params = { ...contract, warningTimeS: 2 };

function run(sim: FleetSim, steps: number[]): SimPoint[] {
  const out: SimPoint[] = [];
  for (const dt of steps) out.push(...sim.step(dt).points);
  return out;
}

describe("fleet simulator", () => {
  it("is deterministic: same seed, same points, however time is sliced", () => {
    const opts = { drones: 40, seed: 42, conflicts: 0.1, hz: 10 };
    const a = run(new FleetSim(opts), Array(100).fill(100));
    const b = run(new FleetSim(opts), Array(100).fill(100));
    expect(b).toEqual(a);
    const c = run(new FleetSim(opts), Array(40).fill(250));
    const key = (p: SimPoint) => `${p.droneId}@${p.timeMs}`;
    const sortK = (xs: SimPoint[]) => [...xs].sort((x, y) => (key(x) < key(y) ? -1 : 1));
    expect(sortK(c)).toEqual(sortK(a));
    const other = run(new FleetSim({ ...opts, seed: 43 }), Array(100).fill(100));
    expect(other).not.toEqual(a);
  });

  it("flies plausible missions: speeds 8-20 m/s in cruise, battery drains, some links drop", () => {
    const sim = new FleetSim({ drones: 100, seed: 3, linkDrops: 0.2 });
    let downs = 0;
    const pts: SimPoint[] = [];
    for (let i = 0; i < 300; i++) {
      const r = sim.step(100);
      pts.push(...r.points);
      downs += r.links.filter((l) => !l.up).length;
    }
    expect(downs).toBeGreaterThan(0);
    const speeds = pts.map((p) => Math.hypot(p.vn, p.ve));
    expect(Math.max(...speeds)).toBeLessThan(21);
    expect(pts.every((p) => p.altM >= 30 && p.battery! >= 0 && p.battery! <= 100)).toBe(true);
    const first = new Map<string, number>();
    const last = new Map<string, number>();
    for (const p of pts) {
      if (!first.has(p.droneId)) first.set(p.droneId, p.battery!);
      last.set(p.droneId, p.battery!);
    }
    const drained = [...first].filter(([id, b]) => last.get(id)! < b).length;
    expect(drained).toBeGreaterThan(50);
  });

  it("creates converging pairs that conflict by the contract, from when the truth says", () => {
    const sim = new FleetSim({ drones: 200, seed: 9, conflicts: 0.05, conflictWindowMs: [8000, 30_000], contract });
    expect(sim.truth.length).toBe(5);
    const latest = new Map<string, SimPoint>();
    const firstConflict = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      for (const p of sim.step(100).points) latest.set(p.droneId, p);
      for (const t of sim.truth) {
        const a = latest.get(t.a);
        const b = latest.get(t.b);
        if (!a || !b || firstConflict.has(`${t.a}|${t.b}`)) continue;
        if (predict(a, b, params).conflict) firstConflict.set(`${t.a}|${t.b}`, Math.max(a.timeMs, b.timeMs));
      }
    }
    for (const t of sim.truth) {
      const seen = firstConflict.get(`${t.a}|${t.b}`);
      expect(seen, `${t.a}-${t.b}`).toBeDefined();
      // Predicted no earlier than a look-ahead before the loss of separation (GPS noise: 0.3 s slack),
      // and within two report intervals after it becomes predictable.
      expect(seen!).toBeGreaterThanOrEqual(t.alertFromTimeMs - 300);
      expect(seen!).toBeLessThanOrEqual(t.alertFromTimeMs + 200);
      expect(t.conflictStartTimeMs).toBeLessThan(t.meetTimeMs);
    }
  });
});
