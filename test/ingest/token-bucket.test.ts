import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TokenBucket } from "../../src/ingest/token-bucket.js";

describe("TokenBucket", () => {
  it("starts full, refuses past the burst, and refills at the rate", () => {
    const b = new TokenBucket(20, 40, 1000);
    for (let i = 0; i < 40; i++) expect(b.take(1, 1000)).toBe(true);
    expect(b.take(1, 1000)).toBe(false);
    expect(b.retryAfterMs(1000)).toBe(50);
    expect(b.take(1, 1049)).toBe(false);
    expect(b.take(1, 1050)).toBe(true);
    expect(b.available(1_000_000)).toBe(40); // capped at the burst
  });

  it("take(n) is all or nothing; takeUpTo grants whole tokens only", () => {
    const b = new TokenBucket(10, 5, 0);
    expect(b.take(6, 0)).toBe(false);
    expect(b.available(0)).toBe(5);
    expect(b.takeUpTo(3, 0)).toBe(3);
    expect(b.takeUpTo(10, 0)).toBe(2);
    expect(b.takeUpTo(1, 0)).toBe(0);
    expect(b.takeUpTo(10, 250)).toBe(2); // 2.5 tokens → 2
    expect(b.available(250)).toBeCloseTo(0.5, 9);
  });

  it("retryAfterMs: 0 when available, Infinity beyond the burst or at rate 0", () => {
    const b = new TokenBucket(1, 3, 0);
    expect(b.retryAfterMs(0, 3)).toBe(0);
    expect(b.retryAfterMs(0, 4)).toBe(Infinity);
    b.take(3, 0);
    expect(b.retryAfterMs(0, 2)).toBe(2000);
    expect(new TokenBucket(0, 1, 0).retryAfterMs(0, 2)).toBe(Infinity);
  });

  it("ignores a clock that steps back (no refill, no double refill later)", () => {
    const b = new TokenBucket(10, 10, 1000);
    b.take(10, 1000);
    expect(b.take(1, 500)).toBe(false);
    expect(b.available(1100)).toBeCloseTo(1, 9);
  });

  it("reconfigure keeps the tokens, clipped to the new burst", () => {
    const b = new TokenBucket(10, 10, 0);
    b.take(8, 0);
    b.reconfigure(100, 100, 0);
    expect(b.available(0)).toBe(2);
    expect(b.available(10)).toBeCloseTo(3, 9);
    b.reconfigure(1, 1, 10);
    expect(b.available(10)).toBe(1);
    expect(b.isFull(10)).toBe(true);
  });

  it("rejects bad parameters", () => {
    expect(() => new TokenBucket(-1, 1, 0)).toThrow(RangeError);
    expect(() => new TokenBucket(1, 0, 0)).toThrow(RangeError);
    expect(() => new TokenBucket(Infinity, 1, 0)).toThrow(RangeError);
  });

  it("property: over any interval, grants ≤ rate × t + burst", () => {
    const op = fc.record({
      dtMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 5000 })),
      n: fc.integer({ min: 1, max: 20 }),
      upTo: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 1000, noNaN: true }),
        fc.integer({ min: 1, max: 100 }),
        fc.array(op, { minLength: 1, maxLength: 200 }),
        (rate, burst, ops) => {
          const b = new TokenBucket(rate, burst, 0);
          const times: number[] = [];
          const grants: number[] = [];
          let t = 0;
          for (const o of ops) {
            t += o.dtMs;
            const g = o.upTo ? b.takeUpTo(o.n, t) : b.take(o.n, t) ? o.n : 0;
            expect(g).toBeGreaterThanOrEqual(0);
            expect(g).toBeLessThanOrEqual(o.n);
            if (g > 0) {
              times.push(t);
              grants.push(g);
            }
          }
          for (let i = 0; i < times.length; i++) {
            let sum = 0;
            for (let j = i; j < times.length; j++) {
              sum += grants[j]!;
              expect(sum).toBeLessThanOrEqual(burst + (rate * (times[j]! - times[i]!)) / 1000 + 1e-6);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
