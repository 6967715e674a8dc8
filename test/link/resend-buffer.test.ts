import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ResendBuffer, type ResendEntry } from "../../src/link/resend-buffer.js";

function entry(seq: number, size: number, sentAtMs: number, points = 10): ResendEntry {
  // Content tells batches apart: what comes back for resending must be exactly what was pushed.
  return { seq, bytes: new Uint8Array(size).fill(seq % 251), sentAtMs, points };
}

describe("ResendBuffer", () => {
  const opts = { resendMaxMs: 5000, resendMaxBytes: 1000 };

  it("keeps unacknowledged batches in order and frees them on cumulative acks", () => {
    const r = new ResendBuffer(opts);
    for (let s = 1; s <= 5; s++) expect(r.push(entry(s, 100, s), s)).toEqual([]);
    expect(r.size).toBe(5);
    expect(r.bytes).toBe(500);
    expect(r.ack(3)).toBe(3);
    expect(r.pending().map((e) => e.seq)).toEqual([4, 5]);
    expect(r.ack(3)).toBe(0); // a repeated ack frees nothing
    expect(r.ack(10)).toBe(2);
    expect(r.size).toBe(0);
    expect(r.bytes).toBe(0);
    expect(r.pending()).toEqual([]);
  });

  it("keeps entries exact while its columns grow, shift and shrink (thousands held, acked in steps, drained)", () => {
    const r = new ResendBuffer({ resendMaxMs: 1e9, resendMaxBytes: 1e9 });
    let next = 1;
    let acked = 0;
    for (let round = 0; round < 4; round++) {
      for (let k = 0; k < 1500; k++, next++) r.push(entry(next, 1 + (next % 7), next, next % 13), next);
      acked += 1000 + round * 100;
      r.ack(acked);
      const held = r.pending();
      expect(held.length).toBe(next - 1 - acked);
      held.forEach((e, i) => {
        const seq = acked + 1 + i;
        expect([e.seq, e.sentAtMs, e.points, e.bytes.length, e.bytes[0]]).toEqual([seq, seq, seq % 13, 1 + (seq % 7), seq % 251]);
      });
    }
    r.ack(next);
    expect(r.size).toBe(0);
    r.push(entry(next, 5, next), next);
    expect(r.pending().map((e) => [e.seq, e.bytes.length])).toEqual([[next, 5]]);
  });

  it("says how far it has gone into its bounds: the oldest batch's age or the bytes, the larger", () => {
    const r = new ResendBuffer(opts);
    expect(r.fill(0)).toBe(0);
    r.push(entry(1, 100, 1000), 1000);
    expect(r.fill(1000)).toBeCloseTo(0.1); // 100 of 1,000 bytes, no age yet
    expect(r.fill(3500)).toBeCloseTo(0.5); // 2.5 of 5 s
    for (let s = 2; s <= 8; s++) r.push(entry(s, 100, 3500), 3500);
    expect(r.fill(3500)).toBeCloseTo(0.8); // 800 of 1,000 bytes
    r.ack(1);
    expect(r.fill(3500)).toBeCloseTo(0.7); // age now from batch 2 (0 s): the bytes
    expect(r.fill(3500, 1000)).toBe(0); // the oldest is younger than the grace: no backlog, whatever the bytes
    expect(r.fill(4500, 1000)).toBeCloseTo(0.7); // 1 s old: the 700 bytes count again
    r.ack(8);
    expect(r.fill(9000)).toBe(0); // empty: nothing is waiting, whatever the clock
  });

  it("evicts batches older than resendMaxMs and reports their points", () => {
    const r = new ResendBuffer(opts);
    r.push(entry(1, 10, 0, 7), 0);
    r.push(entry(2, 10, 1000, 3), 1000);
    expect(r.trim(5000)).toEqual([]);
    expect(r.trim(5001)).toEqual([{ seq: 1, points: 7, why: "age" }]);
    expect(r.push(entry(3, 10, 6001), 6001)).toEqual([{ seq: 2, points: 3, why: "age" }]);
    expect(r.lostPoints).toBe(10);
    expect(r.pending().map((e) => e.seq)).toEqual([3]);
  });

  it("over the byte bound, gives up the oldest batches first, whatever they carry", () => {
    const r = new ResendBuffer(opts);
    r.push(entry(1, 300, 0, 7), 0);
    r.push(entry(2, 200, 0, 1), 0);
    r.push(entry(3, 300, 0), 0);
    r.push(entry(4, 100, 0, 2), 0);
    expect(r.bytes).toBe(900);
    expect(r.push(entry(5, 150, 0), 0)).toEqual([{ seq: 1, points: 7, why: "bytes" }]);
    expect(r.pending().map((e) => e.seq)).toEqual([2, 3, 4, 5]);
    const ev = r.push(entry(6, 500, 0), 0);
    expect(ev.map((e) => e.seq)).toEqual([2, 3]); // 1250 → 1050 → 750 bytes
    expect(r.pending().map((e) => e.seq)).toEqual([4, 5, 6]);
    expect(r.bytes).toBe(750);
    expect(r.lostPoints).toBe(7 + 1 + 10);
  });

  it("a batch larger than the bound evicts everything, itself included", () => {
    const r = new ResendBuffer(opts);
    r.push(entry(1, 100, 0), 0);
    expect(r.push(entry(2, 2000, 0), 0).map((e) => e.seq)).toEqual([1, 2]);
    expect(r.size).toBe(0);
    expect(r.bytes).toBe(0);
  });

  it("property: bounds hold, acked or evicted batches never come back, every loss is counted", () => {
    const op = fc.oneof(
      fc.record({
        k: fc.constant("push" as const),
        size: fc.integer({ min: 1, max: 400 }),
        pts: fc.integer({ min: 0, max: 20 }),
        dt: fc.integer({ min: 0, max: 2000 }),
      }),
      fc.record({ k: fc.constant("ack" as const), back: fc.integer({ min: 0, max: 5 }) }),
      fc.record({ k: fc.constant("trim" as const), dt: fc.integer({ min: 0, max: 3000 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const r = new ResendBuffer(opts);
        let seq = 0;
        let now = 0;
        let lost = 0;
        let pushedPoints = 0;
        let ackedPoints = 0;
        const gone = new Set<number>();
        for (const o of ops) {
          let ev: readonly { seq: number; points: number }[] = [];
          if (o.k === "push") {
            now += o.dt;
            pushedPoints += o.pts;
            ev = r.push(entry(++seq, o.size, now, o.pts), now);
          } else if (o.k === "trim") {
            now += o.dt;
            ev = r.trim(now);
          } else {
            const upTo = seq - o.back;
            for (const e of r.pending()) {
              if (e.seq > upTo) continue;
              ackedPoints += e.points;
              gone.add(e.seq);
            }
            r.ack(upTo);
          }
          for (const e of ev) {
            expect(gone.has(e.seq)).toBe(false);
            gone.add(e.seq);
            lost += e.points;
          }
          const p = r.pending();
          expect(r.bytes).toBe(p.reduce((s, e) => s + e.bytes.length, 0));
          expect(r.bytes).toBeLessThanOrEqual(opts.resendMaxBytes);
          for (let i = 0; i < p.length; i++) {
            expect(gone.has(p[i]!.seq)).toBe(false);
            expect(p[i]!.bytes.every((b) => b === p[i]!.seq % 251)).toBe(true);
            expect(now - p[i]!.sentAtMs).toBeLessThanOrEqual(opts.resendMaxMs);
            if (i > 0) expect(p[i]!.seq).toBeGreaterThan(p[i - 1]!.seq);
          }
          expect(r.lostPoints).toBe(lost);
          expect(pushedPoints).toBe(lost + ackedPoints + p.reduce((s, e) => s + e.points, 0));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("keeps the bytes of a long-lived link exact while its arena moves, grows and shrinks", () => {
    const r = new ResendBuffer({ resendMaxMs: 1e9, resendMaxBytes: 1 << 20 });
    let seq = 0;
    let acked = 0;
    // Bursts of big batches (growth), then a long trickle with acks (moves, then shrinking).
    for (let i = 0; i < 200; i++) r.push(entry(++seq, 3000, 0), 0);
    for (let i = 0; i < 40_000; i++) {
      r.push(entry(++seq, 1 + (seq % 97), 0), 0);
      if (i % 7 === 0) {
        acked = seq - 3;
        r.ack(acked);
      }
    }
    const p = r.pending();
    expect(p.map((e) => e.seq)).toEqual([acked + 1, acked + 2, acked + 3, ...Array.from({ length: seq - acked - 3 }, (_, k) => acked + 4 + k)]);
    for (const e of p) expect(e.bytes.length === 1 + (e.seq % 97) && e.bytes.every((b) => b === e.seq % 251)).toBe(true);
    expect(r.bytes).toBe(p.reduce((s, e) => s + e.bytes.length, 0));
    expect(r.arenaBytes).toBeLessThan(64 * 1024); // the 600 KB burst's room was given back
  });
  it("keeps the first n bytes of a buffer pushed with pushBytes exactly as push keeps a batch of them", () => {
    const a = new ResendBuffer(opts);
    const b = new ResendBuffer(opts);
    const src = new Uint8Array(300).map((_, i) => i % 256);
    for (let s = 1; s <= 4; s++) {
      a.push({ seq: s, bytes: src.slice(0, 50 + s), sentAtMs: s, points: s }, s);
      b.pushBytes(src, 50 + s, s, s, s, s);
    }
    expect(b.pending()).toEqual(a.pending());
    expect(b.bytes).toBe(a.bytes);
  });
});
