import { describe, expect, it } from "vitest";
import { AlertBook, pairKey, type Transition } from "../../src/detect/alerts.js";
import { ALERT_CLEAR_HOLD_MS, ALERT_REFRESH_MS } from "../../src/tunables.js";
import { emptyPrediction, type ConflictLevel, type Prediction } from "../../src/detect/conflicts.js";

function pred(level: ConflictLevel | null, hsep = 5): Prediction {
  const p = emptyPrediction();
  p.conflict = level !== null;
  p.level = level;
  p.tEntryS = level === null ? NaN : level === "warning" ? 1 : 3;
  p.tCpaS = 2;
  p.hsepCpaM = hsep;
  p.vsepCpaM = 1;
  p.computedForMs = 1000;
  return p;
}

describe("AlertBook lifecycle", () => {
  it("starts once, escalates at once, refreshes at most once per second with fresh numbers, clears after the hold", () => {
    const book = new AlertBook("r1-boot7");
    const seen: (Transition | null)[] = [];
    const step = (t: number, p: Prediction) => seen.push(book.observe(3, "b", 1, "a", p, t)?.t ?? null);
    step(0, pred("caution"));
    const e = book.get(1, 3)!;
    expect(e.alertId).toBe("r1-boot7-0");
    expect([e.idLo, e.idHi, e.slotLo, e.slotHi]).toEqual(["a", "b", 1, 3]);
    step(100, pred("caution"));
    step(200, pred("warning")); // escalation goes out at once
    step(300, pred("warning"));
    step(200 + ALERT_REFRESH_MS - 1, pred("warning", 4));
    step(200 + ALERT_REFRESH_MS, pred("warning", 3)); // refresh
    expect(e.hsepCpaM).toBe(3);
    step(1500, pred(null)); // hold starts
    step(1500 + ALERT_CLEAR_HOLD_MS - 1, pred(null));
    step(1500 + ALERT_CLEAR_HOLD_MS, pred(null));
    expect(seen).toEqual(["start", null, "escalate", null, null, "refresh", null, null, "clear"]);
    expect(book.size).toBe(0);
    expect(book.of(1)).toBeUndefined();
    expect([book.started, book.cleared]).toEqual([1, 1]);
    // A new encounter gets a new id.
    step(5000, pred("caution"));
    expect(book.get(1, 3)!.alertId).toBe("r1-boot7-1");
  });

  it("re-sends an encounter adopted after a restart at its first conflicting prediction, then refreshes as usual", () => {
    const book = new AlertBook("r1-boot8");
    const e = book.adopt(1, "a", 3, "b", "r1-boot7-4", "warning", { a: "climb", b: "descend" }, 5000);
    expect(e.alertId).toBe("r1-boot7-4");
    // The drones may have missed what the old object sent last: no waiting out a refresh period.
    expect(book.observe(1, "a", 3, "b", pred("warning"), 5100)?.t).toBe("refresh");
    expect(book.observe(1, "a", 3, "b", pred("warning"), 5200)).toBeNull();
    expect(book.observe(1, "a", 3, "b", pred("warning"), 5100 + ALERT_REFRESH_MS)?.t).toBe("refresh");
    expect(book.started).toBe(0); // a continuation, not a new encounter
  });

  it("counts starts and clears since the last takeCounts, for the metrics window", () => {
    const book = new AlertBook("c");
    book.observe(0, "a", 1, "b", pred("caution"), 0);
    book.observe(2, "c", 3, "d", pred("caution"), 0);
    expect(book.takeCounts()).toEqual({ started: 2, cleared: 0 });
    book.end(book.get(0, 1)!);
    expect(book.takeCounts()).toEqual({ started: 0, cleared: 1 });
    expect(book.takeCounts()).toEqual({ started: 0, cleared: 0 });
  });

  it("does not storm on a pair oscillating at the boundary every 100 ms", () => {
    const book = new AlertBook("p");
    const counts = { start: 0, clear: 0, escalate: 0, refresh: 0, lost: 0 };
    const sendTimes: number[] = [];
    for (let t = 0; t <= 10_000; t += 100) {
      const r = book.observe(0, "a", 1, "b", pred((t / 100) % 2 === 0 ? "caution" : null), t);
      if (r) {
        counts[r.t]++;
        sendTimes.push(t);
      }
    }
    expect(counts.start).toBe(1);
    expect(counts.clear).toBe(0);
    for (let i = 1; i < sendTimes.length; i++) expect(sendTimes[i]! - sendTimes[i - 1]!).toBeGreaterThanOrEqual(ALERT_REFRESH_MS);
    // It stops conflicting: exactly one clear, after the hold.
    let clears = 0;
    for (let t = 10_100; t <= 13_000; t += 100) if (book.observe(0, "a", 1, "b", pred(null), t)?.t === "clear") clears++;
    expect(clears).toBe(1);
  });

  it("yields at most one start and one clear per second for any oscillation period", () => {
    for (const periodMs of [200, 600, 1000, 1400, 2200, 3000]) {
      const book = new AlertBook("p");
      const events: [number, Transition][] = [];
      for (let t = 0; t <= 20_000; t += 50) {
        const on = Math.floor(t / periodMs) % 2 === 0;
        const r = book.observe(0, "a", 1, "b", pred(on ? "caution" : null), t);
        if (r && (r.t === "start" || r.t === "clear")) events.push([t, r.t]);
      }
      for (const kind of ["start", "clear"] as const) {
        const ts = events.filter(([, k]) => k === kind).map(([t]) => t);
        for (let i = 1; i < ts.length; i++) expect(ts[i]! - ts[i - 1]!, `period ${periodMs}`).toBeGreaterThanOrEqual(1000);
      }
    }
  });

  it("ends encounters on demand and lists clears due at a tick", () => {
    const book = new AlertBook("p");
    book.observe(0, "a", 1, "b", pred("caution"), 0);
    book.observe(0, "a", 2, "c", pred("warning"), 0);
    expect(book.countByLevel()).toEqual({ caution: 1, warning: 1 });
    expect(book.of(0)!.length).toBe(2);
    book.observe(0, "a", 1, "b", pred(null), 100);
    expect(book.dueClears(1099).length).toBe(0);
    expect(book.dueClears(1100).map((e) => e.key)).toEqual([pairKey(0, 1)]);
    book.end(book.get(0, 2)!);
    expect(book.of(2)).toBeUndefined();
    expect(book.size).toBe(1);
  });
});
