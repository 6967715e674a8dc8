import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULTS } from "../../src/config.js";
import { Batcher, type FlushedBatch } from "../../src/ingest/batcher.js";
import type { TelemetryPoint } from "../../src/wire/point.js";

const base = { batchWindowMs: DEFAULTS.batchWindowMs, batchMaxPoints: DEFAULTS.batchMaxPoints, stretchMaxMs: 0 };

let nextSeq = 0;
function pt(droneId: string, over: Partial<TelemetryPoint> = {}): TelemetryPoint {
  return { droneId, timeMs: 0, lat: 1, lon: 2, altM: 3, vn: 0, ve: 0, vu: 0, battery: 50, seq: nextSeq++, ...over };
}
const seqs = (b: FlushedBatch | undefined) => (b ? b.points.map((p) => p.seq) : []);

describe("Batcher", () => {
  it("flushes a region's points when its window closes", () => {
    const b = new Batcher(base);
    expect(b.nextDeadline()).toBe(Infinity);
    const p1 = pt("a"),
      p2 = pt("b"),
      p3 = pt("a");
    expect(b.add("u33d", p1, false, 1000)).toEqual([]);
    expect(b.add("u33d", p2, true, 1020)).toEqual([]);
    expect(b.add("u33e", p3, false, 1030)).toEqual([]);
    expect(b.nextDeadline()).toBe(1050);
    expect(b.due(1049)).toEqual([]);
    const out = b.due(1050);
    expect(out).toHaveLength(1);
    expect(out[0]!.regionKey).toBe("u33d");
    expect(out[0]!.points).toEqual([p1, p2]);
    expect([...out[0]!.ghost]).toEqual([0, 1]);
    expect(out[0]!.receivedMs).toEqual([1000, 1020]); // where each point's edge-side latency starts
    expect(b.nextDeadline()).toBe(1080);
    expect(b.pendingPoints).toBe(1);
    expect(b.drain().map((x) => x.regionKey)).toEqual(["u33e"]);
    expect(b.pendingPoints).toBe(0);
  });

  it("flushes at once when the batch is full", () => {
    const b = new Batcher({ ...base, batchMaxPoints: 3 });
    b.add("r", pt("a"), false, 0);
    b.add("r", pt("a"), false, 1);
    const out = b.add("r", pt("a"), false, 2);
    expect(out).toHaveLength(1);
    expect(out[0]!.points).toHaveLength(3);
    expect(b.nextDeadline()).toBe(Infinity);
  });

  it("proximity flush: a drone in proximity: its point leaves at once with what is pending", () => {
    const b = new Batcher(base);
    b.add("r", pt("a"), false, 0);
    expect(b.setProximity("r", ["x"])).toBeNull(); // nothing of x pending
    const out = b.add("r", pt("x"), false, 10);
    expect(out.map((o) => o.points.map((p) => p.droneId))).toEqual([["a", "x"]]);
    expect(out[0]!.urgent).toBe(true); // marked: an ingest hub on the way must not hold it
    expect(b.add("q", pt("x"), false, 10)).toEqual([]); // urgency is per region
    b.add("r", pt("b"), false, 20);
    const flushed = b.setProximity("r", ["b"]); // b comes into proximity while its point waits
    expect(flushed?.points.map((p) => p.droneId)).toEqual(["b"]);
    expect(flushed?.urgent).toBe(true);
    b.setProximity("r", []);
    expect(b.due(Infinity).every((f) => !f.urgent)).toBe(true); // a window's end is no emergency
    expect(b.add("r", pt("x"), false, 30)).toEqual([]);
  });

  it("sends at once when the session's frames come further apart than the window", () => {
    const b = new Batcher(base);
    // A 10 Hz drone socket: nothing known before the second frame, then no reason to wait.
    b.arrival(0);
    expect(b.add("r", pt("a"), false, 0)).toEqual([]);
    expect(b.due(50)).toHaveLength(1);
    b.arrival(100);
    expect(b.add("r", pt("a"), false, 100).map((o) => o.points.length)).toEqual([1]);
    b.arrival(200);
    expect(b.add("r", pt("a"), false, 200)).toHaveLength(1);
    expect(b.nextDeadline()).toBe(Infinity);
    // Frames every 10 ms (a relay flushing often): points wait for the window and share a message.
    const r = new Batcher(base);
    for (let t = 0; t < 40; t += 10) {
      r.arrival(t);
      expect(r.add("r", pt(`d${t}`), false, t)).toEqual([]);
    }
    expect(r.due(50).map((o) => o.points.length)).toEqual([4]);
  });

  it("still stretches far drones' points when frames come seldom", () => {
    const b = new Batcher({ ...base, stretchMaxMs: 1000 });
    b.setFar("r", ["a"], 5000);
    for (const t of [0, 100, 200]) {
      b.arrival(t);
      expect(b.add("r", pt("a"), false, t)).toEqual([]);
    }
    expect(b.nextDeadline()).toBe(1000);
    b.arrival(300);
    expect(b.add("r", pt("b"), false, 300).map((o) => o.points.map((p) => p.droneId))).toEqual([["a", "a", "a", "b"]]);
  });

  describe("safety-aware stretch", () => {
    const opts = { ...base, stretchMaxMs: 500 };

    it("lets far drones wait up to stretchMaxMs, and never delays a non-far point", () => {
      const b = new Batcher(opts);
      b.setFar("r", ["far"], 10_000);
      b.add("r", pt("far"), false, 0);
      expect(b.nextDeadline()).toBe(500);
      expect(b.due(499)).toEqual([]);
      expect(seqs(b.due(500)[0])).toHaveLength(1);
      b.add("r", pt("far"), false, 600);
      b.add("r", pt("near"), false, 700);
      expect(b.nextDeadline()).toBe(750); // the far point rides along with the non-far one
      expect(b.due(750)[0]!.points.map((p) => p.droneId)).toEqual(["far", "near"]);
    });

    it("does not stretch past the verdict's validity, nor when stretchMaxMs is 0", () => {
      const b = new Batcher(opts);
      b.setFar("r", ["far"], 1000);
      b.add("r", pt("far"), false, 600); // 600 + 500 > 1000
      expect(b.nextDeadline()).toBe(650);
      const off = new Batcher(base);
      expect(off.setFar("r", ["far"], 10_000)).toBeNull();
      off.add("r", pt("far"), false, 0);
      expect(off.nextDeadline()).toBe(50);
    });

    it("a revoked verdict flushes the stretched points at once", () => {
      const b = new Batcher(opts);
      b.setFar("r", ["a", "b"], 10_000);
      b.add("r", pt("a"), false, 0);
      b.add("r", pt("b"), false, 0);
      expect(b.setFar("r", ["a", "b"], 10_000)).toBeNull();
      expect(b.setFar("r", ["a"], 10_000)?.points.map((p) => p.droneId)).toEqual(["a", "b"]);
      b.add("r", pt("a"), false, 100);
      expect(b.setFar("r", ["a"], 300)?.points).toHaveLength(1); // would wait past the new validity
      b.add("r", pt("a"), false, 200);
      expect(b.setProximity("r", ["a"])?.points).toHaveLength(1);
    });
  });

  type Op =
    | { k: "add"; region: number; drone: number; ghost: boolean; dt: number }
    | { k: "due"; dt: number }
    | { k: "proximity"; region: number; drones: number[] }
    | { k: "far"; region: number; drones: number[]; validMs: number };
  const drones = fc.uniqueArray(fc.integer({ min: 0, max: 4 }), { maxLength: 5 });
  const op: fc.Arbitrary<Op> = fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({
        k: fc.constant("add" as const),
        region: fc.integer({ min: 0, max: 2 }),
        drone: fc.integer({ min: 0, max: 4 }),
        ghost: fc.boolean(),
        dt: fc.integer({ min: 0, max: 40 }),
      }),
    },
    { weight: 2, arbitrary: fc.record({ k: fc.constant("due" as const), dt: fc.integer({ min: 0, max: 700 }) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant("proximity" as const), region: fc.integer({ min: 0, max: 2 }), drones }) },
    {
      weight: 1,
      arbitrary: fc.record({ k: fc.constant("far" as const), region: fc.integer({ min: 0, max: 2 }), drones, validMs: fc.integer({ min: 0, max: 3000 }) }),
    },
  );

  it("property: no point lost or duplicated, per-drone order kept, every point within its deadline", () => {
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 300 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 2, max: 20 }),
        fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1000 })),
        (ops, window, maxPoints, stretch) => {
          const b = new Batcher({ batchWindowMs: window, batchMaxPoints: maxPoints, stretchMaxMs: stretch });
          let now = 0;
          let seq = 0;
          const added = new Map<number, { addedAt: number; deadline: number; ghost: boolean; region: string }>();
          const proximity: Set<string>[] = [new Set(), new Set(), new Set()];
          const far: { ids: Set<string>; until: number }[] = [0, 1, 2].map(() => ({ ids: new Set(), until: -Infinity }));
          const out: { b: FlushedBatch; at: number }[] = [];
          const take = (bs: readonly FlushedBatch[] | FlushedBatch | null) => {
            for (const x of bs === null ? [] : Array.isArray(bs) ? bs : [bs as FlushedBatch]) out.push({ b: x, at: now });
          };
          // A perfect timer: every deadline up to `to` is served at its own time.
          const advance = (to: number) => {
            for (let d = b.nextDeadline(); d <= to; d = b.nextDeadline()) {
              now = Math.max(now, d);
              take(b.due(now));
            }
            now = to;
          };
          for (const o of ops) {
            if (o.k === "add") {
              advance(now + o.dt);
              if (o.drone % 2 === 0) b.arrival(now); // frames of one or more points, irregularly spaced
              const id = `d${o.drone}`;
              const p = pt(id, { seq: seq++ });
              const f = far[o.region]!;
              const isFar = stretch > window && f.ids.has(id) && now + stretch <= f.until;
              const deadline = proximity[o.region]!.has(id) ? now : now + (isFar ? stretch : window);
              added.set(p.seq, { addedAt: now, deadline, ghost: o.ghost, region: `r${o.region}` });
              take(b.add(`r${o.region}`, p, o.ghost, now));
            } else if (o.k === "due") advance(now + o.dt);
            else if (o.k === "proximity") {
              proximity[o.region] = new Set(o.drones.map((d) => `d${d}`));
              take(b.setProximity(`r${o.region}`, proximity[o.region]!));
            } else {
              far[o.region] = { ids: new Set(o.drones.map((d) => `d${d}`)), until: now + o.validMs };
              take(b.setFar(`r${o.region}`, far[o.region]!.ids, now + o.validMs));
            }
          }
          advance(now + Math.max(window, stretch) + 1);
          expect(b.pendingPoints).toBe(0);
          expect(b.drain()).toEqual([]);
          const seen = new Set<number>();
          const lastSeq = new Map<string, number>();
          for (const { b: batch, at } of out) {
            expect(batch.points.length).toBeGreaterThan(0);
            expect(batch.points.length).toBeLessThanOrEqual(maxPoints);
            expect(batch.ghost.length).toBe(batch.points.length);
            batch.points.forEach((p, i) => {
              const a = added.get(p.seq)!;
              expect(seen.has(p.seq)).toBe(false);
              seen.add(p.seq);
              expect(a.region).toBe(batch.regionKey);
              expect(batch.ghost[i]).toBe(a.ghost ? 1 : 0);
              expect(at).toBeLessThanOrEqual(a.deadline); // stretch never delays a non-far point
              const k = `${batch.regionKey}/${p.droneId}`;
              expect(p.seq).toBeGreaterThan(lastSeq.get(k) ?? -1);
              lastSeq.set(k, p.seq);
            });
          }
          expect(seen.size).toBe(added.size);
        },
      ),
      { numRuns: 500 },
    );
  });
  it("property: batches recycled once used leave the same batches as fresh ones, and share nothing that is still in use", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 2, max: 20 }), (ops, window, maxPoints) => {
        const opts = { batchWindowMs: window, batchMaxPoints: maxPoints, stretchMaxMs: 500 };
        const fresh = new Batcher(opts);
        const reused = new Batcher(opts);
        let now = 0;
        // What a batch says when it is taken; the recycled one is then given back at once, as the session does once it is encoded.
        const seen = (b: FlushedBatch) => JSON.stringify([b.regionKey, seqs(b), [...b.ghost], b.receivedMs, b.urgent === true]);
        const run = (batcher: Batcher, recycle: boolean, f: (x: Batcher) => readonly FlushedBatch[] | FlushedBatch | null): string[] => {
          const r = f(batcher);
          const list = r === null ? [] : Array.isArray(r) ? r : [r as FlushedBatch];
          const out = list.map(seen);
          if (recycle) for (const b of list) batcher.recycle(b);
          return out;
        };
        const both = (f: (x: Batcher) => readonly FlushedBatch[] | FlushedBatch | null) => expect(run(reused, true, f)).toEqual(run(fresh, false, f));
        let seq = 0;
        for (const o of ops) {
          now += o.k === "add" || o.k === "due" ? o.dt : 0;
          both((x) => x.due(now));
          if (o.k === "add") {
            const p = pt(`d${o.drone}`, { seq: seq++ });
            if (o.drone % 2 === 0) {
              fresh.arrival(now);
              reused.arrival(now);
            }
            both((x) => x.add(`r${o.region}`, p, o.ghost, now));
          } else if (o.k === "proximity")
            both((x) =>
              x.setProximity(
                `r${o.region}`,
                o.drones.map((d) => `d${d}`),
              ),
            );
          else if (o.k === "far")
            both((x) =>
              x.setFar(
                `r${o.region}`,
                o.drones.map((d) => `d${d}`),
                now + o.validMs,
              ),
            );
        }
        both((x) => x.drain());
      }),
      { numRuns: 300 },
    );
  });
});
