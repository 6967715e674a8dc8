import { describe, expect, it } from "vitest";
import { alertGaps, type ChaosRecord, describeChaos, judgeChaos, RESUME_LIMIT_MS } from "../../src/sim/chaos-verdict.js";

function record(over: Partial<ChaosRecord> = {}): ChaosRecord {
  return {
    tally: {
      gateway: { accepted: 1000, lost: 0, liveSessions: 0, linksCut: 12 },
      regions: { applied: 990, ignoredStale: 10, acceptedCounted: 1000, resent: 300, droppedOverflow: 0 },
    },
    restarts: [{ region: "u09t", requestedMs: 10_000, answeredMs: 10_020, gaps: [{ droneId: "o0a", gapMs: 250 }] }],
    staged: [{ a: "d1", b: "d2", alertedA: true, alertedB: true }],
    falseClears: [],
    faults: { failWindows: 1, restartsSurvived: 2, linkCuts: 1, socketDrops: 3, socketsDropped: 4 },
    ...over,
  };
}

describe("chaos verdict", () => {
  it("passes a run where every accepted point arrived once (new or older than its drone's state)", () => {
    const v = judgeChaos(record());
    expect(v).toMatchObject({ ok: true, lost: 0, duplicated: 0, maxGapMs: 250, problems: [] });
    expect(describeChaos(record(), v)).toMatch(/accepted by the gateways 1,000, applied by the regions 1,000 .*lost 0, duplicated 0/);
    expect(describeChaos(record(), v)).toMatch(/2 restarts survived \(1 after a refused checkpoint\)/);
  });

  it("tells a loss from a duplicate, and both from points the gateways gave up", () => {
    const tally = record().tally;
    const lost = judgeChaos(record({ tally: { ...tally, regions: { ...tally.regions, applied: 985 } } }));
    expect([lost.ok, lost.lost, lost.duplicated]).toEqual([false, 5, 0]);
    const doubled = judgeChaos(record({ tally: { ...tally, regions: { ...tally.regions, ignoredStale: 13, acceptedCounted: 1003 } } }));
    expect([doubled.ok, doubled.lost, doubled.duplicated]).toEqual([false, 0, 3]);
    expect(doubled.problems.join("\n")).toMatch(/3 points reached their region twice[\s\S]*count 1003 accepted points, the gateways 1000/);
    const givenUp = judgeChaos(record({ tally: { ...tally, gateway: { ...tally.gateway, lost: 7 } } }));
    expect(givenUp.problems).toEqual(["7 points given up by the gateways (resend window)"]);
    const unfinished = judgeChaos(record({ tally: { ...tally, gateway: { ...tally.gateway, liveSessions: 2 } } }));
    expect(unfinished.ok).toBe(false);
  });

  it("fails a slow or missing alert after a restart, a one-sided staged conflict, a false clear and a restart that did not happen", () => {
    const v = judgeChaos(
      record({
        restarts: [
          {
            region: "u09t",
            requestedMs: 0,
            answeredMs: 10,
            gaps: [
              { droneId: "o0a", gapMs: RESUME_LIMIT_MS + 1 },
              { droneId: "o0b", gapMs: null },
            ],
          },
        ],
        staged: [{ a: "d1", b: "d2", alertedA: true, alertedB: false }],
        falseClears: ["o1b"],
        faults: { failWindows: 0, restartsSurvived: 0, linkCuts: 0, socketDrops: 0, socketsDropped: 0 },
      }),
    );
    expect(v.ok).toBe(false);
    expect(v.maxGapMs).toBe(RESUME_LIMIT_MS + 1);
    expect(v.problems).toEqual([
      "1 restarts asked for, 0 happened",
      `o0a: first alert ${RESUME_LIMIT_MS + 1} ms after the restart of u09t (limit ${RESUME_LIMIT_MS})`,
      "o0b: no alert after the restart of u09t at 0",
      "staged conflict d1/d2 alerted on d1 only",
      "o1b was told clear while in a lasting conflict",
    ]);
  });

  it("times the first alert each drone received once the restart was answered", () => {
    const received = new Map([
      ["a", [900, 1005, 1300]],
      ["b", [1400]],
    ]);
    expect(alertGaps({ requestedMs: 1000, answeredMs: 1010 }, ["a", "b", "c"], received)).toEqual([
      { droneId: "a", gapMs: 300 },
      { droneId: "b", gapMs: 400 },
      { droneId: "c", gapMs: null },
    ]);
  });
});
