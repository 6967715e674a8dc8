// Faults (issue 12), short and seeded: 30 s of the OpenSky replay beside a fleet with staged conflicts
// on a cold local edge with CHAOS=1, while regions restart six times (twice inside a window of failing
// checkpoints), upstream links are cut with batches in flight and drone sockets drop mid-batch.
// `npm run chaos` runs the same for longer. Before the fixes of this Faults part, seed 1 lost
// 377 accepted points and had 4,480 given up (a failed checkpoint acked what it had not stored; an
// earlier plan showed 277 applied twice instead), and alerts resumed 1.1-1.2 s after each restart (a
// restored encounter waited out a refresh period before re-sending).
import { describe, expect, it } from "vitest";
import { runChaos } from "../../scripts/chaos/run-chaos.js";
import { RESUME_LIMIT_MS } from "../../src/sim/chaos-verdict.js";

describe("chaos: faults during a replay", () => {
  it("applies every accepted point exactly once and resumes alerts within a second of each restart", async () => {
    const r = await runChaos({ seed: 1, durationMs: 30_000, restarts: 6, label: "e2e-chaos" });
    console.log(r.text);
    const { tally, faults, restarts, staged } = r.record;
    expect(r.verdict.problems).toEqual([]);
    expect(tally.gateway.accepted).toBeGreaterThan(10_000);
    expect(tally.regions.applied + tally.regions.ignoredStale).toBe(tally.gateway.accepted);
    expect([r.verdict.lost, r.verdict.duplicated, tally.gateway.lost]).toEqual([0, 0, 0]);
    // The faults happened: restarts (more than asked: refused checkpoints restart too), cuts, drops.
    expect(faults.restartsSurvived).toBeGreaterThan(restarts.length);
    expect(tally.gateway.linksCut).toBeGreaterThan(0);
    expect(faults.socketsDropped).toBeGreaterThan(0);
    expect(tally.regions.resent).toBeGreaterThan(0);
    expect(restarts.filter((s) => s.gaps.length > 0).length).toBeGreaterThanOrEqual(3);
    expect(r.verdict.maxGapMs).toBeLessThanOrEqual(RESUME_LIMIT_MS);
    expect(staged.length).toBeGreaterThanOrEqual(5);
  }, 120_000);
});
