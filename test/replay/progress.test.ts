import { describe, expect, it } from "vitest";
import { clock, ProgressReporter, progressLine } from "../../src/replay/progress.js";
import { formatSummary, type ReplaySummary } from "../../src/replay/replay-summary.js";

const snap = (sent: number) => ({ sent, total: 1000, alerts: 3, queued: 0 });

describe("progress", () => {
  it("formats rows sent of the total, points/s, alerts and an ETA", () => {
    expect(progressLine(snap(250), 50, 5000)).toBe("250/1,000 rows (25%) · 50 points/s · 3 alerts · 0:05 elapsed · ETA 0:15");
    expect(progressLine(snap(250), 0, 5000)).toContain("ETA –");
    expect(progressLine(snap(1000), 0, 3_723_000)).toContain("1:02:03 elapsed · ETA 0:00");
    expect(clock(59.6)).toBe("1:00");
  });

  it("redraws one line on a terminal, at most every 250 ms, and ends it", () => {
    const out: string[] = [];
    const p = new ProgressReporter({ tty: true, write: (t) => out.push(t) }, 0);
    p.update(0, snap(0));
    p.update(100, snap(10));
    p.update(1000, snap(100));
    p.end();
    expect(out).toHaveLength(3);
    expect(out[0]).toMatch(/^\r0\/1,000 rows/);
    expect(out[1]).toMatch(/^\r100\/1,000 rows .* 100 points\/s/);
    expect(out[2]).toBe("\n");
  });

  it("prints a plain line every few seconds elsewhere, the rate over the last seconds", () => {
    const out: string[] = [];
    const p = new ProgressReporter({ tty: false, write: (t) => out.push(t), plainEveryMs: 5000 }, 0);
    for (let t = 0; t <= 20_000; t += 100) p.update(t, snap(t < 10_000 ? t / 20 : 500));
    expect(out).toHaveLength(4);
    expect(out.every((l) => l.startsWith("replay: ") && l.endsWith("\n"))).toBe(true);
    expect(out[0]).toContain("50 points/s");
    // Paused since 10 s: the rate shows it, not the average.
    expect(out[3]).toContain(" 0 points/s");
    p.update(20_050, snap(500), true);
    expect(out).toHaveLength(5);
    p.end();
    expect(out).toHaveLength(5);
  });
});

describe("progress while reading the file", () => {
  it("shows rows and bytes read of the file's size, a plain line every few seconds off a terminal", () => {
    const out: string[] = [];
    const p = new ProgressReporter({ tty: false, write: (t) => out.push(t), plainEveryMs: 5000, fileBytes: 4e9 }, 0);
    for (let t = 0; t <= 12_000; t += 500) p.reading(t, t * 1000, t * 100_000);
    expect(out).toEqual([
      "replay: reading the file: 5,000,000 rows, 500 MB of 4,000 MB (12%) · 0:05 elapsed\n",
      "replay: reading the file: 10,000,000 rows, 1,000 MB of 4,000 MB (25%) · 0:10 elapsed\n",
    ]);
  });

  it("redraws one line on a terminal and ends it before the replay's own", () => {
    const out: string[] = [];
    const p = new ProgressReporter({ tty: true, write: (t) => out.push(t) }, 0);
    p.reading(0, 0, 0);
    p.reading(300, 1024, 2_000_000);
    p.end();
    expect(out).toEqual(["\rreading the file: 1,024 rows, 2 MB · 0:00 elapsed\x1b[K", "\n"]);
  });
});

describe("formatSummary", () => {
  const s: ReplaySummary = {
    rows: 4494,
    sent: 4494,
    recordings: 4,
    drones: 4,
    connections: 1,
    bad: 2,
    badLines: [
      { line: 7, reason: "no drone id" },
      { line: 9, reason: "lat missing or not a number" },
    ],
    outOfOrder: 0,
    server: {
      frames: 10,
      pointsReceived: 4494,
      pointsAccepted: 4300,
      pointsDeduped: 194,
      pointsRateLimited: 0,
      pointsRejected: 0,
      pointsLost: 0,
      pointsShed: 0,
      alertsDelivered: 0,
    },
    missingCounters: 0,
    alertsByLevel: { caution: 2 },
    serverErrors: {},
    droppedByClient: 0,
    elapsedMs: 8800,
    interrupted: false,
  };
  it("says what was sent, what the edge did with it and which rows were unreadable", () => {
    expect(formatSummary(s)).toBe(
      [
        "replay done after 8.8 s: 4,494 of 4,494 rows sent (4 recording(s), 4 drone(s)) over 1 connection(s)",
        "edge: received 4,494, accepted 4,300, deduped 194, rate-limited 0, rejected 0, lost 0",
        "alerts: caution 2, warning 0, clear 0",
        "2 unreadable row(s) skipped: line 7 (no drone id); line 9 (lat missing or not a number)",
      ].join("\n"),
    );
    // Rejected points: the edge's first reason, and what to do when it is the jump check.
    const jumps = formatSummary({
      ...s,
      server: { ...s.server, pointsRejected: 2517 },
      firstRejection: "3 point(s) rejected; first: 412 m from the drone's previous point 63 ms apart: faster than 100 m/s",
    });
    expect(jumps).toContain("\nedge's first rejection: 3 point(s) rejected; first: 412 m from the drone's previous point 63 ms apart: faster than 100 m/s\n");
    expect(jumps).toMatch(/jump check.*JUMP_CHECK_MPS=1e9/);
    const range = formatSummary({ ...s, firstRejection: "1 point(s) rejected; first: lat out of range" });
    expect(range).toContain("edge's first rejection: 1 point(s) rejected; first: lat out of range");
    expect(range).not.toContain("JUMP_CHECK_MPS");
    expect(formatSummary({ ...s, interrupted: true, missingCounters: 1 })).toMatch(/^replay interrupted.*\n.*\(1 connection\(s\) gave no counters\)/);
  });
});
