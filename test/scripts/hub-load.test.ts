// The lone-region benchmark's feeder (scripts/bench/hub-load): its patched bundles must be exactly what
// encodeBundle of encodeBatch would send, its fleet must stay in its cell, and its staged pairs must meet.
import { describe, expect, it } from "vitest";
import { regionOf } from "../../src/geo/regions.js";
import { enuOffset } from "../../src/geo/enu.js";
import { decodeBatch } from "../../src/wire/batch-codec.js";
import { newCounters } from "../../src/wire/counters.js";
import { decodeBundle, encodeBundle } from "../../src/wire/hub-protocol.js";
import { BundleWriter, OnePointLink, type PendingReport } from "../../scripts/bench/hub-load/batch-template.js";
import { alertLatency, settledAfterS, summarize } from "../../scripts/bench/hub-load/alert-latency.js";
import { LoadFleet, PAIR_LEAD_S } from "../../scripts/bench/hub-load/fleet.js";
import { Replies } from "../../scripts/bench/hub-load/replies.js";
import { encodeControl } from "../../src/wire/link-protocol.js";

const REGION = regionOf(48.8566, 2.3522, 4);
const T0 = 1_700_000_000_000;
const fleet = () => new LoadFleet(REGION, 200, { pairs: 4, firstMeetMs: 5000, lastMeetMs: 15_000, seed: 3, fleet: "bench", idPrefix: "h", startMs: T0 });

describe("hub-load feeder", () => {
  it("writes the bundles encodeBundle would, report after report", () => {
    const f = fleet();
    const links = f.keys.map((_, i) => new OnePointLink(`s1.${i}.${REGION}.0`, `00-${"a".repeat(32)}-${"b".repeat(16)}-01`, newCounters()));
    const writer = new BundleWriter();
    for (let round = 1; round <= 3; round++) {
      const reports: PendingReport[] = links
        .slice(0, 50)
        .map((link, i) => ({ link, seq: round, sentAtMs: T0 + round * 100 + i, point: f.pointAt(i, T0 + round * 100), urgent: i % 7 === 0 }));
      const got = writer.write(reports);
      expect(got).toEqual(encodeBundle(reports.map((r) => ({ linkId: r.link.linkId, bytes: r.link.encode(r) }))));
      const back = decodeBundle(got).map((b) => ({ linkId: b.linkId, batch: decodeBatch(b.bytes) }));
      expect(back[7]!.batch.urgent).toBe(true);
      const sent = reports[8]!.point;
      expect(back[8]!.batch).toMatchObject({ seq: round, sentAtMs: T0 + round * 100 + 8, urgent: false });
      // The feeder is the gateway: each point received as its batch is sent (edge-side latency starts there).
      expect(back[8]!.batch.receivedMs).toEqual([T0 + round * 100 + 8]);
      expect(back[8]!.batch.points[0]).toMatchObject({ droneId: sent.droneId, timeMs: sent.timeMs, lat: sent.lat, lon: sent.lon, seq: sent.seq });
      expect(back[8]!.linkId).toBe(reports[8]!.link.linkId);
    }
    expect(writer.patching).toBe(true);
  });

  it("falls back to encoding in full when the patch disagrees with the encoder", () => {
    const f = fleet();
    const link = new OnePointLink(`s1.0.${REGION}.0`, "", newCounters());
    const first: PendingReport = { link, seq: 1, sentAtMs: T0, point: f.pointAt(0, T0), urgent: false };
    // A template that no longer matches what the encoder makes (as if batch-codec's layout had changed).
    link.size(first);
    (link as unknown as { template: Uint8Array }).template = new Uint8Array(link.encode(first).length);
    const writer = new BundleWriter();
    const r = { ...first, seq: 2, point: f.pointAt(0, T0 + 100) };
    expect(writer.write([r])).toEqual(encodeBundle([{ linkId: link.linkId, bytes: link.encode(r) }]));
    expect(writer.patching).toBe(false);
  });

  it("keeps every drone in its cell, and brings each staged pair together at its meet time", () => {
    const f = fleet();
    for (let t = 0; t <= 20_000; t += 2500)
      for (let i = 0; i < f.size; i++) {
        const p = f.pointAt(i, T0 + t);
        expect(regionOf(p.lat, p.lon, 4)).toBe(REGION);
      }
    for (const pair of f.pairs) {
      const a = f.pointAt(pair.a, T0 + pair.meetMs);
      const b = f.pointAt(pair.b, T0 + pair.meetMs);
      const [e, n] = enuOffset(a.lat, a.lon, b.lat, b.lon);
      expect(Math.hypot(e, n)).toBeLessThan(1);
      expect(a.altM).toBe(b.altM);
      const early = enuOffset(f.pointAt(pair.a, T0).lat, f.pointAt(pair.a, T0).lon, f.pointAt(pair.b, T0).lat, f.pointAt(pair.b, T0).lon);
      expect(Math.hypot(...early)).toBeGreaterThan(100);
    }
  });

  it("places a staged drone within 2R of its partner (closing or parting), in the conflict's lead, or far, by the time to meeting", () => {
    const f = fleet();
    const { a, b, meetMs } = f.pairs[0]!;
    expect(f.pairPhase(a, T0 + meetMs)).toBe("closing");
    expect(f.pairPhase(a, T0 + meetMs - 900)).toBe("closing");
    expect(f.pairPhase(b, T0 + meetMs + 900)).toBe("parting");
    expect(f.pairPhase(a, T0 + meetMs + 1100)).toBe("far");
    expect(f.pairPhase(a, T0 + meetMs - 1100)).toBe("conflict");
    expect(f.pairPhase(a, T0 + meetMs - PAIR_LEAD_S * 1000 + 10)).toBe("conflict");
    expect(f.pairPhase(a, T0 + meetMs - PAIR_LEAD_S * 1000 - 10)).toBe("far");
    const population = [...Array(f.size).keys()].find((i) => !f.pairs.some((p) => p.a === i || p.b === i))!;
    expect(f.pairPhase(population, T0 + meetMs)).toBeNull();
  });
});

describe("hub-load alert latency", () => {
  it("settles where the level first reaches the run's highest, and splits the samples there", () => {
    const levels = [
      { atMs: T0 + 1000, level: 1 },
      { atMs: T0 + 2000, level: 2 },
      { atMs: T0 + 3500, level: 3 },
      { atMs: T0 + 9000, level: 2 },
      { atMs: T0 + 11_000, level: 3 },
    ];
    expect(settledAfterS(levels, T0)).toBe(3.5);
    expect(settledAfterS([], T0)).toBe(0);
    const samples = [
      { startedS: 1, latencyMs: 900, staged: true },
      { startedS: 3, latencyMs: 400, staged: false },
      { startedS: 4, latencyMs: 50, staged: true },
      { startedS: 12, latencyMs: 70, staged: true },
    ];
    const l = alertLatency(samples, 3.5);
    expect(l.before).toEqual({ count: 2, p50: 400, p99: 900, max: 900 });
    expect(l.after).toEqual({ count: 2, p50: 50, p99: 70, max: 70 });
    expect(l.staged.count).toBe(3);
    expect(l.all.max).toBe(900);
    expect(summarize([]).count).toBe(0);
    expect(summarize([]).p99).toBeNaN();
  });

  it("keeps one shed level per tick when two ticks' fan-outs interleave across hub sockets", () => {
    const r = new Replies(() => Number.NaN, 1500);
    const shed = (level: number, at: number) => r.on("l1", encodeControl({ t: "shed", level }), at);
    shed(1, T0);
    shed(1, T0 + 1000);
    for (const [i, level] of [2, 3, 2, 3, 3].entries()) shed(level, T0 + 2000 + i);
    shed(2, T0 + 3000);
    for (const [i, level] of [3, 2, 2].entries()) shed(level, T0 + 4000 + i); // back to the level before: no change
    expect(r.shedLevels).toEqual([
      { atMs: T0, level: 1 },
      { atMs: T0 + 2000, level: 3 },
      { atMs: T0 + 3000, level: 2 },
    ]);
    expect(r.maxShedLevel).toBe(3);
  });
});
