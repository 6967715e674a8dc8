import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type LedgerBatch, LinkLedger, linkForgetMs } from "../../src/link/link-ledger.js";
import type { LinkSequenceState } from "../../src/link/link-sequence.js";

const bytes = (seq: number) => Uint8Array.of(seq & 0xff);

describe("LinkLedger", () => {
  it("acks a quiet link with the floor its last checkpoint stored, riding on its next batch, else at the next checkpoint", () => {
    const l = new LinkLedger(4, 100, 10_000);
    expect(l.applied("L", 1, () => bytes(1), 0)).toBeNull(); // nothing durable yet: no ack
    const c1 = l.checkpoint(1000);
    expect(c1).toEqual({ links: [["L", { floor: 1, above: [] }]], ackNow: [] });
    expect(l.applied("L", 2, () => bytes(2), 1010)).toEqual({ journal: [], ackSeq: 1 }); // 1 is durable, 2 is not
    expect(l.applied("L", 3, () => bytes(3), 1020)).toBeNull(); // acked already this tick
    const c2 = l.checkpoint(2000);
    expect(c2.links).toEqual([["L", { floor: 3, above: [] }]]);
    expect(c2.ackNow).toEqual([]);
    expect(l.checkpoint(3000).ackNow).toEqual([["L", 3]]); // quiet since: acked at the tick after
  });

  it("acks a busy link between checkpoints, after journaling the batches it kept", () => {
    const l = new LinkLedger(2, 0, 10_000);
    for (let s = 1; s <= 3; s++) l.applied("B", s, () => bytes(s), s);
    l.checkpoint(1000); // B was busy (≥ 2 batches): acked early from now on, its batches kept
    const batch = (seq: number) => ({ linkId: "B", seq, bytes: bytes(seq) });
    // Four batches since its last ack (≥ 2): journal the one kept, then ack everything applied.
    expect(l.applied("B", 4, () => bytes(4), 1001)).toEqual({ journal: [batch(4)], ackSeq: 4 });
    expect(l.applied("B", 5, () => bytes(5), 1002)).toBeNull(); // one batch since the ack
    expect(l.applied("B", 6, () => bytes(6), 1003)).toEqual({ journal: [batch(5), batch(6)], ackSeq: 6 });
  });

  it("drops duplicates, tolerates reordering, and closes a gap the gateway gave up on", () => {
    const l = new LinkLedger(32, 100, 5000);
    for (const s of [1, 3, 4]) {
      expect(l.isNew("G", s)).toBe(true);
      l.applied("G", s, () => bytes(s), 0);
    }
    expect(l.isNew("G", 3)).toBe(false);
    expect(l.floor("G")).toBe(0); // applied, but nothing is durable before the checkpoint
    expect(l.checkpoint(1000).links).toEqual([["G", { floor: 1, above: [3, 4] }]]);
    expect(l.floor("G")).toBe(1);
    expect(l.checkpoint(5000).links).toEqual([["G", { floor: 4, above: [] }]]); // 2 never came: skipped
    expect(l.isNew("G", 2)).toBe(false);
  });

  it("tells a reconnecting gateway only the durable floor: a quiet link's batches are not, until the checkpoint", () => {
    const l = new LinkLedger(32, 100, 10_000);
    for (let s = 1; s <= 3; s++) l.applied("Q", s, () => bytes(s), s);
    expect(l.floor("Q")).toBe(0); // were hello to say 3, a restart now would lose 1-3 uncounted
    l.checkpoint(1000);
    expect(l.floor("Q")).toBe(3);
    l.applied("Q", 4, () => bytes(4), 1001);
    expect(l.floor("Q")).toBe(3);
    // A busy link is durable as far as its journaled ack.
    const b = new LinkLedger(1, 0, 10_000);
    b.applied("B", 1, () => bytes(1), 0);
    b.checkpoint(1000);
    expect(b.applied("B", 2, () => bytes(2), 1001)).toMatchObject({ ackSeq: 2 });
    expect(b.floor("B")).toBe(2);
  });

  it("restores a link from its checkpoint and forgets idle links without a socket", () => {
    const l = new LinkLedger(32, 100, 5000);
    l.restore("R", { floor: 7, above: [9] }, 0);
    expect([l.floor("R"), l.isNew("R", 8), l.isNew("R", 9)]).toEqual([7, true, false]);
    l.forgetIdle(1, new Set(["R"]));
    expect(l.floor("R")).toBe(7); // it has a socket
    l.forgetIdle(1, new Set());
    expect(l.floor("R")).toBe(0);
  });

  it("property: every batch applied exactly once, and an ack only ever for what is durable, through duplicates, reordering and restarts", () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant("send" as const) }),
      fc.record({ k: fc.constant("dup" as const), back: fc.integer({ min: 0, max: 6 }) }),
      fc.record({ k: fc.constant("swap" as const) }),
      fc.record({ k: fc.constant("tick" as const) }),
      fc.record({ k: fc.constant("restart" as const) }),
      fc.record({ k: fc.constant("reconnect" as const) }),
      fc.record({ k: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 300 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), fc.integer({ min: 1, max: 5 }), (ops, ackEvery) => {
        // The region: a ledger, what it applied (in memory), and what is durable (checkpoint + journal).
        let ledger = new LinkLedger(ackEvery, 0, 1_000_000);
        let applied = new Map<number, number>();
        let durable = { applied: new Map<number, number>(), seqs: { floor: 0, above: [] } as LinkSequenceState };
        let journal: LedgerBatch[] = [];
        // The gateway: the next sequence, what it sent and not yet had acked, and what is in flight.
        let next = 1;
        let acked = 0;
        let inFlight: number[] = [];
        let now = 0;
        const deliver = (seq: number) => {
          if (!ledger.isNew("L", seq)) return;
          applied.set(seq, (applied.get(seq) ?? 0) + 1);
          const r = ledger.applied("L", seq, () => bytes(seq), now);
          if (!r) return;
          journal.push(...r.journal);
          const durableHas = (s: number) => durable.applied.has(s) || journal.some((j) => j.seq === s);
          for (let s = 1; s <= r.ackSeq; s++) expect(durableHas(s)).toBe(true); // an ack means durable
          acked = Math.max(acked, r.ackSeq);
        };
        const checkpoint = () => {
          const { links, ackNow } = ledger.checkpoint(now);
          durable = { applied: new Map(applied), seqs: links.find(([id]) => id === "L")?.[1] ?? durable.seqs };
          journal = [];
          for (const [, seq] of ackNow) {
            for (let s = 1; s <= seq; s++) expect(durable.applied.has(s)).toBe(true);
            acked = Math.max(acked, seq);
          }
        };
        for (const o of ops) {
          if (o.k === "send") inFlight.push(next++);
          else if (o.k === "dup" && next - 1 - o.back > acked) inFlight.push(next - 1 - o.back);
          else if (o.k === "swap" && inFlight.length >= 2) inFlight = [...inFlight.slice(1, 2), inFlight[0]!, ...inFlight.slice(2)];
          else if (o.k === "tick") checkpoint();
          else if (o.k === "reconnect") {
            // The link drops while the region lives: hello's floor is forgotten by the gateway, so it must be durable.
            const floor = ledger.floor("L");
            for (let s = 1; s <= floor; s++) expect(durable.applied.has(s) || journal.some((j) => j.seq === s)).toBe(true);
            acked = Math.max(acked, floor);
            inFlight = Array.from({ length: next - 1 - acked }, (_, i) => acked + 1 + i);
          } else if (o.k === "advance") now += o.ms;
          else if (o.k === "restart") {
            // Memory is gone: reload the checkpoint, re-apply the journal; the gateway resends all it has not had acked.
            ledger = new LinkLedger(ackEvery, 0, 1_000_000);
            ledger.restore("L", durable.seqs, now);
            applied = new Map(durable.applied);
            for (const j of journal) {
              if (!ledger.isNew("L", j.seq)) continue;
              applied.set(j.seq, (applied.get(j.seq) ?? 0) + 1);
              ledger.applied("L", j.seq, null, now);
            }
            inFlight = Array.from({ length: next - 1 - acked }, (_, i) => acked + 1 + i);
          }
          if (o.k !== "restart" && o.k !== "reconnect" && inFlight.length > 0 && o.k !== "swap") deliver(inFlight.shift()!);
        }
        for (const s of inFlight) deliver(s);
        for (let s = 1; s < next; s++) expect(applied.get(s)).toBe(1);
      }),
    );
  });

  it("a fleet reconnecting every minute keeps the ledger bounded: closed links go a few resend windows on", () => {
    // The soak's churn: 250 sessions a minute, each a fresh link id, closed at the minute's end; the
    // region's housekeeping forgets once a minute. An hour's memory kept 15,000 links.
    const l = new LinkLedger(32, 100, 10_000);
    const forget = linkForgetMs(5000);
    let most = 0;
    for (let minute = 0; minute < 60; minute++) {
      const now = minute * 60_000;
      for (let d = 0; d < 250; d++) for (let seq = 1; seq <= 3; seq++) l.applied(`s${minute}-${d}.r.1`, seq, () => bytes(seq), now + seq * 1000);
      l.forgetIdle(now + 59_000 - forget, new Set());
      most = Math.max(most, l.size);
    }
    expect(most).toBeLessThanOrEqual(250 * (Math.ceil(forget / 60_000) + 1));
    expect(forget).toBeLessThanOrEqual(600_000);
    // A long resend window stretches it: a batch the gateway may still resend is never forgotten.
    expect(linkForgetMs(600_000)).toBeGreaterThanOrEqual(2 * 600_000);
  });

  it("property: forgetting a silent link never lets a resent batch apply twice (its gateway gives batches up after RESEND_MAX_MS)", () => {
    const R = 5000;
    const F = linkForgetMs(R);
    const op = fc.oneof(
      fc.record({ k: fc.constant("send" as const) }),
      fc.record({ k: fc.constant("deliver" as const) }),
      fc.record({ k: fc.constant("tick" as const) }),
      fc.record({ k: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 2 * R }) }),
      fc.record({ k: fc.constant("drop" as const), silentMs: fc.integer({ min: 0, max: 3 * F }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const ledger = new LinkLedger(4, 2000, 2 * R); // acks lag: a drop leaves batches applied, unacked
        const applied = new Map<number, number>();
        let now = 0;
        let next = 1;
        let buffer: { seq: number; sentAt: number }[] = []; // the gateway's resend buffer
        let inFlight: number[] = [];
        const ack = (seq: number) => {
          buffer = buffer.filter((b) => b.seq > seq);
        };
        for (const o of ops) {
          if (o.k === "send") {
            buffer.push({ seq: next, sentAt: now });
            inFlight.push(next++);
          } else if (o.k === "deliver" && inFlight.length > 0) {
            const seq = inFlight.shift()!;
            if (!ledger.isNew("L", seq)) continue;
            applied.set(seq, (applied.get(seq) ?? 0) + 1);
            const r = ledger.applied("L", seq, () => bytes(seq), now);
            if (r) ack(r.ackSeq);
          } else if (o.k === "tick") {
            for (const [, seq] of ledger.checkpoint(now).ackNow) ack(seq);
          } else if (o.k === "advance") now += o.ms;
          else if (o.k === "drop") {
            // The socket goes with what was in flight (and any ack on its way); the region's housekeeping
            // runs while the link is away; the gateway reconnects, trims by age, hears the floor, resends.
            inFlight = [];
            now += o.silentMs;
            ledger.forgetIdle(now - F, new Set());
            buffer = buffer.filter((b) => now - b.sentAt <= R);
            ack(ledger.floor("L"));
            inFlight = buffer.map((b) => b.seq);
          }
        }
        for (const [, n] of applied) expect(n).toBe(1);
      }),
      { numRuns: 500 },
    );
  });
});
