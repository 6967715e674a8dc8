import { beforeAll, describe, expect, it } from "vitest";
import { loadZstdEncoder, type ZstdEncoder } from "../../src/client/zstd.js";
import { DEFAULTS } from "../../src/config.js";
import { KIND_NAMES } from "../../src/fuzz/hostile-cases.js";
import { reportLines } from "../../src/fuzz/report-text.js";
import { runFuzz } from "../../src/fuzz/session-oracle.js";

// Like the property tests (test/setup/fast-check.ts): a new seed on every local run, the one in
// FC_SEED when it is set (CI), so the gate replays a fixed sample. A failure prints its seed.
const SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : Math.floor(Math.random() * 2 ** 31);
const CASES = 3000;

let zstd: ZstdEncoder;
beforeAll(async () => {
  zstd = await loadZstdEncoder();
});

describe("hostile bytes against the socket pipeline (SessionCore)", () => {
  it(`runs a seeded sample of ${CASES} cases of every kind without one violation`, () => {
    const r = runFuzz({ cases: CASES, seed: SEED, compress: zstd });
    expect(r.violations, reportLines(r, false).join("\n")).toEqual([]);
    expect(r.moreViolations).toBe(0);
    expect(Object.keys(r.byKind).sort()).toEqual([...KIND_NAMES].sort());
    const labels = new Set(Object.values(r.byKind).flatMap((row) => Object.keys(row)));
    // Every documented close a client can cause happened, and valid frames went through.
    for (const l of ["close 1007", "close 1008", "close 1009", "error BAD_FRAME", "error INVALID_POINT", "accepted", "pong"])
      expect(labels, `seed ${SEED}`).toContain(l);
    expect(r.sessions).toBeGreaterThan(3);
  });

  it("is deterministic for a seed: the same cases, the same outcomes", () => {
    const a = runFuzz({ cases: 400, seed: 12345 });
    const b = runFuzz({ cases: 400, seed: 12345 });
    expect(a).toEqual(b);
    expect(runFuzz({ cases: 400, seed: 54321 }).byKind).not.toEqual(a.byKind);
  });

  it("holds a gateway with small limits to the same rules", () => {
    const opts = { ...DEFAULTS, maxFrameBytes: 4096, maxPointsPerFrame: 16, relayMaxDrones: 8, badFrameLimit: 2 };
    const r = runFuzz({
      cases: 1500,
      seed: SEED,
      opts,
      only: ["element bomb", "zstd bomb", "oversize", "hostile stream", "hostile columns", "valid rows", "valid stream"],
    });
    expect(r.violations, reportLines(r, false).join("\n")).toEqual([]);
  });

  it("reports a stall when a case takes longer than allowed", () => {
    let t = 0;
    // A clock that advances 5 ms per reading: every case takes 5 ms.
    const r = runFuzz({ cases: 3, seed: 1, only: ["ping"], clock: () => (t += 5), stallMs: 4 });
    expect(r.violations.map((v) => v.problem)).toEqual(["stall: 5 ms for one frame", "stall: 5 ms for one frame", "stall: 5 ms for one frame"]);
  });
});
