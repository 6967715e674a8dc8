import { describe, expect, it } from "vitest";
import { BACKOFF_BASE_MS, BACKOFF_MAX_MS, createBackoff, nextBackoffMs } from "../../src/link/backoff.js";
import { seededRandom } from "../../src/sim/seeded-random.js";

describe("backoff", () => {
  it("grows exponentially up to the cap, with no jitter when asked", () => {
    const b = createBackoff({ baseMs: 100, maxMs: 1000, jitter: 0 });
    expect([1, 2, 3, 4, 5, 6].map(() => b.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(b.attempts).toBe(6);
    b.reset();
    expect(b.next()).toBe(100);
  });

  it("keeps every delay within [cap·(1−jitter), cap]", () => {
    const b = createBackoff({ random: seededRandom(7) });
    for (let i = 0; i < 200; i++) {
      const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** i);
      const d = b.next();
      expect(d).toBeGreaterThanOrEqual(Math.round(cap * 0.5));
      expect(d).toBeLessThanOrEqual(cap);
    }
  });

  it("spreads a synchronized wave of reconnects", () => {
    const r = seededRandom(1);
    const delays = Array.from({ length: 1000 }, () => createBackoff({ random: r, jitter: 1 }).next());
    const buckets = new Array(10).fill(0);
    for (const d of delays) buckets[Math.min(9, Math.floor(d / 10))]++;
    for (const n of buckets) expect(n).toBeGreaterThan(60); // roughly uniform over [0, 100]
  });

  it("is deterministic for a seed, and the stateless form agrees", () => {
    const a = createBackoff({ random: seededRandom(42) });
    const b = createBackoff({ random: seededRandom(42) });
    for (let i = 0; i < 20; i++) expect(a.next()).toBe(b.next());
    expect(nextBackoffMs(3, { jitter: 0 })).toBe(800);
    expect(nextBackoffMs(10_000, { jitter: 0 })).toBe(BACKOFF_MAX_MS);
    expect(nextBackoffMs(2, { random: () => 0.5 })).toBe(300); // cap 400: 200 + 200 × 0.5
  });

  it("seededRandom is uniform-ish in [0, 1)", () => {
    const r = seededRandom(123);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const x = r();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      sum += x;
    }
    expect(sum / 10_000).toBeCloseTo(0.5, 1);
  });

  it("rejects bad options", () => {
    expect(() => createBackoff({ baseMs: 0 })).toThrow(RangeError);
    expect(() => createBackoff({ baseMs: 100, maxMs: 50 })).toThrow(RangeError);
    expect(() => createBackoff({ jitter: 2 })).toThrow(RangeError);
    expect(() => createBackoff({ factor: 0.5 })).toThrow(RangeError);
  });
});
