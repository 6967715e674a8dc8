import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TokenBucket } from "../../src/ingest/token-bucket.js";
import { BURST_SHARE, Pacer, RATE_SHARE } from "../../src/replay/pacer.js";

describe("Pacer", () => {
  it("at a finite speed sends each report N times faster than recorded", () => {
    const p = new Pacer({ speed: 10, startMs: 1000, pointsPerSecond: 20, burstPoints: 40 });
    expect(p.dueMs("a", 0)).toBe(1000);
    expect(p.dueMs("a", 5)).toBe(1500);
  });

  it("at max lets a drone burst half the edge's bucket, then paces it at 80 % of its rate", () => {
    const p = new Pacer({ speed: Number.POSITIVE_INFINITY, startMs: 0, pointsPerSecond: 20, burstPoints: 40 });
    const sent: number[] = [];
    let now = 0;
    for (let i = 0; i < 60; i++) {
      now = Math.max(now, p.dueMs("a", i));
      sent.push(now);
      p.take("a", now);
    }
    expect(sent.slice(0, 40 * BURST_SHARE).every((t) => t === 0)).toBe(true);
    const paced = sent.slice(40 * BURST_SHARE);
    for (let i = 1; i < paced.length; i++) expect(paced[i]! - paced[i - 1]!).toBeCloseTo(1000 / (20 * RATE_SHARE), 6);
    // Another drone is not held back by the first.
    expect(p.dueMs("b", 0)).toBe(0);
  });

  it("stamps strictly increase per drone and never lie ahead of the send time", () => {
    const p = new Pacer({ speed: Number.POSITIVE_INFINITY, startMs: 0, pointsPerSecond: 20, burstPoints: 40 });
    const stamps = [p.take("a", 5), p.take("a", 5), p.take("a", 5)];
    expect(stamps).toEqual([5, 6, 7]);
    expect(p.take("b", 5)).toBe(5);
  });

  // Half the burst plus 80 % of the rate for the jitter fits the edge's bucket while the jitter is at
  // most burst / (1.6 × rate): 1.25 s for the defaults (20/s, 40).
  it("whatever the sending delays, the edge's own bucket (charged when the frame arrives, up to 1 s later) never runs dry", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.double({ min: 1.6, max: 4, noNaN: true }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 1000 })), { minLength: 1, maxLength: 300 }),
        (rate, k, steps) => {
          const burst = Math.ceil(rate * k);
          const p = new Pacer({ speed: Number.POSITIVE_INFINITY, startMs: 0, pointsPerSecond: rate, burstPoints: burst });
          const edge = new TokenBucket(rate, burst, 0);
          let now = 0;
          const arrivals: number[] = [];
          for (const [late, jitter] of steps) {
            now = Math.max(now, p.dueMs("a", 0)) + late;
            p.take("a", now);
            arrivals.push(now + jitter);
          }
          // Frames may overtake each other: the edge charges them in arrival order.
          arrivals.sort((x, y) => x - y);
          for (const t of arrivals) expect(edge.take(1, t)).toBe(true);
        },
      ),
    );
  });
});
