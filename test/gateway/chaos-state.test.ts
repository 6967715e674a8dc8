// The gateway isolate's fault-injection state: totals over live and ended sessions, and link cuts
// that each link carries out once, at its own next send.
import { describe, expect, it } from "vitest";
import { chaosTotals, linkCutter, requestLinkCut, sessionEnded, sessionOpened } from "../../src/gateway/chaos-state.js";
import { SessionTotals } from "../../src/ingest/session-totals.js";

describe("chaos state", () => {
  it("sums what live and ended sessions accepted and lost, each session once", () => {
    const before = chaosTotals();
    const a = new SessionTotals();
    const b = new SessionTotals();
    sessionOpened(a);
    sessionOpened(b);
    a.pointsAccepted = 10;
    b.pointsAccepted = 5;
    b.pointsLost = 2;
    expect(chaosTotals().liveSessions - before.liveSessions).toBe(2);
    sessionEnded(b);
    sessionEnded(b); // a second end changes nothing
    a.pointsAccepted = 12; // still live: read as it is now
    const t = chaosTotals();
    expect(t.pointsAccepted - before.pointsAccepted).toBe(17);
    expect(t.pointsLost - before.pointsLost).toBe(2);
    expect([t.liveSessions - before.liveSessions, t.endedSessions - before.endedSessions]).toEqual([1, 1]);
    sessionEnded(a);
    expect(chaosTotals().pointsAccepted - before.pointsAccepted).toBe(17);
  });

  it("cuts each link that existed at the request once, and no link made after it", () => {
    const older = linkCutter();
    expect(older()).toBe(false);
    const before = chaosTotals().linksCut;
    requestLinkCut();
    const newer = linkCutter();
    expect([older(), older(), newer()]).toEqual([true, false, false]);
    requestLinkCut();
    requestLinkCut(); // two requests before the next send: one cut
    expect([older(), newer(), newer()]).toEqual([true, true, false]);
    expect(chaosTotals().linksCut - before).toBe(3);
  });
});
