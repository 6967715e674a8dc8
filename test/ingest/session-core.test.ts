import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ClientPoint, decodeServerFrame, encodePingFrame, encodeTelemetryFrame } from "../../src/client/wire.js";
import { DEFAULTS, type Options } from "../../src/config.js";
import { fromEnu } from "../../src/geo/enu.js";
import { regionBounds, regionOf } from "../../src/geo/regions.js";
import { type SessionBatch, SessionCore, type SessionOutput } from "../../src/ingest/session-core.js";
import { COUNTERS_FLUSH_MS } from "../../src/tunables.js";
import { CloseCode } from "../../src/wire/close-codes.js";
import { COUNTER_INDEX } from "../../src/wire/counters.js";

const T0 = 1_795_000_000_000;
const opts: Options = { ...DEFAULTS, relayMaxDrones: 64 };
/** A point 300 m west of a geohash-4 border (inside the halo: a ghost goes east too), and one deep inside a cell. */
const CELL = regionBounds(regionOf(52.52, 13.405, 4));
const NEAR_BORDER = { lat: (CELL.south + CELL.north) / 2, lon: CELL.east - 0.0045 };
const INSIDE = { lat: (CELL.south + CELL.north) / 2, lon: (CELL.west + CELL.east) / 2 };

function point(droneId: string, timeMs: number, at = INSIDE, eastM = 0, over: Partial<ClientPoint> = {}): ClientPoint {
  const q = fromEnu(at.lat, at.lon, eastM, 0);
  return { droneId, timeMs, lat: q.lat, lon: q.lon, altM: 100, vn: 0, ve: 5, vu: 0, ...over };
}

function relay(o: Options = opts): SessionCore {
  return new SessionCore({ role: "relay", sub: "gs-1", fleet: "f" }, o, T0);
}

const frames = (o: SessionOutput) => o.toClient.map((f) => decodeServerFrame(f));
const homePoints = (bs: SessionBatch[]) => bs.flatMap((b) => b.points.filter((_, i) => b.ghost[i] === 0).map((p) => `${p.droneId}@${p.timeMs}`));
const counter = (bs: SessionBatch[], name: keyof typeof COUNTER_INDEX) => bs.reduce((n, b) => n + b.counters[COUNTER_INDEX[name]]!, 0);

describe("SessionCore", () => {
  it("welcomes with the limits in force", () => {
    const w = decodeServerFrame(relay().welcome("s-1", T0));
    expect(w).toMatchObject({ type: "welcome", sessionId: "s-1", role: "relay", maxPointsPerFrame: opts.maxPointsPerFrame, batchWindowMs: opts.batchWindowMs });
  });

  it("batches a frame's points per region, ghosts to the neighbour, with the counts each region gets", () => {
    const s = relay();
    const out = s.onFrame(encodeTelemetryFrame([point("a", T0, NEAR_BORDER), point("b", T0, INSIDE)]), T0);
    const later = s.onTimer(T0 + opts.batchWindowMs);
    const all = [...out.batches, ...later.batches];
    const home = regionOf(INSIDE.lat, INSIDE.lon, 4);
    expect(new Set(all.map((b) => b.regionKey)).size).toBe(2);
    // Ids leave under the token's fleet (wire/fleet-key.ts): fleet "f" here.
    expect(homePoints(all).sort()).toEqual([`f/a@${T0}`, `f/b@${T0}`]);
    const ghosts = all.filter((b) => b.regionKey !== home).flatMap((b) => b.points.map((p) => p.droneId));
    expect(ghosts).toEqual(["f/a"]);
    expect(counter(all, "accepted")).toBe(2);
    expect(counter(all, "ghostsSent")).toBe(1);
    expect(counter(all, "batched")).toBe(3);
    expect(s.totals).toMatchObject({ frames: 1, pointsReceived: 2, pointsAccepted: 2 });
  });

  it("answers a ping with the session's counters", () => {
    const s = relay();
    s.onFrame(encodeTelemetryFrame([point("a", T0)]), T0);
    const [pong] = frames(s.onFrame(encodePingFrame(9), T0 + 1));
    expect(pong).toMatchObject({ type: "pong", nonce: 9, counters: { pointsReceived: 1, pointsAccepted: 1 } });
  });

  it("closes with 1008 after too many bad frames, and with 1009 on an oversized frame", () => {
    const s = relay();
    let out: SessionOutput = s.onFrame("text", T0);
    for (let i = 0; i < opts.badFrameLimit && !out.close; i++) out = s.onFrame(new Uint8Array([0xff, 0xff, 0xff, 0x01]), T0 + i);
    expect(out.close).toEqual({ code: CloseCode.POLICY, reason: "too many bad frames" });
    expect(s.onFrame(encodeTelemetryFrame([point("a", T0)]), T0 + 100).batches).toEqual([]); // closed: nothing more taken
    const big = relay({ ...opts, maxFrameBytes: 64 });
    expect(big.onFrame(encodeTelemetryFrame([point("a", T0), point("b", T0), point("c", T0)]), T0).close?.code).toBe(CloseCode.TOO_BIG);
  });

  it("closes with 1007 when a stream frame is refused unread for its counts, and keeps a row frame's refusal a bad frame", () => {
    // TelemetryStream (field 4) of 5,000 empty new ids: over MAX_POINTS_PER_FRAME entries, refused before decoding.
    const ids = new Uint8Array(10_000).map((_, i) => (i % 2 === 0 ? 0x1a : 0));
    const out = relay().onFrame(Uint8Array.from([0x22, 0x90, 0x4e, ...ids]), T0);
    expect(out.close).toEqual({ code: CloseCode.STREAM_LOST, reason: "stream state lost" });
    expect(frames(out)).toEqual([
      expect.objectContaining({ type: "error", code: "STREAM", message: expect.stringMatching(/more than 4096 entries in TelemetryStream.newDroneIds/) }),
    ]);
    // The same soup as a Telemetry's points (field 1, then 0x12 0x00 per point): TOO_MANY_POINTS, socket open.
    const rows = relay().onFrame(Uint8Array.from([0x0a, 0x90, 0x4e, ...ids.map((b) => (b === 0x1a ? 0x12 : 0))]), T0);
    expect(rows.close).toBeNull();
    expect(frames(rows)).toEqual([expect.objectContaining({ type: "error", code: "TOO_MANY_POINTS" })]);
  });

  it("sends a hovering drone's once-a-second refresh within the window, like any report (issue 14)", () => {
    const s = relay();
    const sent: string[] = [];
    for (let t = 0; t <= 5000; t += 100) {
      // Climbing 0.4 m/s: every report within the near-duplicate thresholds of the last one forwarded.
      const out = s.onFrame(encodeTelemetryFrame([point("hover", T0 + t, INSIDE, 0, { ve: 0, vu: 0.4, altM: 100 + 0.0004 * t })]), T0 + t);
      sent.push(...homePoints([...out.batches, ...s.onTimer(T0 + t + opts.batchWindowMs).batches]));
    }
    expect(sent).toEqual([0, 1000, 2000, 3000, 4000, 5000].map((t) => `f/hover@${T0 + t}`));
  });

  it("property: every accepted point reaches exactly one home batch, and every count is accounted for", () => {
    const step = fc.oneof(
      fc.record({
        k: fc.constant("frame" as const),
        drones: fc.array(fc.record({ id: fc.integer({ min: 0, max: 5 }), border: fc.boolean(), bad: fc.boolean(), moveM: fc.integer({ min: 0, max: 3 }) }), {
          minLength: 1,
          maxLength: 6,
        }),
        dt: fc.integer({ min: 0, max: 120 }),
      }),
      fc.record({ k: fc.constant("timer" as const), dt: fc.integer({ min: 0, max: 3000 }) }),
      fc.record({ k: fc.constant("near" as const), id: fc.integer({ min: 0, max: 5 }) }),
      fc.record({ k: fc.constant("ping" as const) }),
      fc.record({ k: fc.constant("shed" as const), level: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ k: fc.constant("backlog" as const), fill: fc.double({ min: 0, max: 1.2, noNaN: true }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const s = relay();
        const batches: SessionBatch[] = [];
        const keep = (o: SessionOutput) => batches.push(...o.batches);
        let now = T0;
        const x = new Map<number, number>();
        for (const st of steps) {
          if (st.k === "frame") {
            now += st.dt;
            const pts = st.drones.map((d) => {
              x.set(d.id, (x.get(d.id) ?? 0) + d.moveM);
              const p = point(`d${d.id}`, now, d.border ? NEAR_BORDER : INSIDE, x.get(d.id)!);
              return d.bad ? { ...p, ve: 500 } : p; // over MAX_SPEED_MPS: rejected by the gateway
            });
            keep(s.onFrame(encodeTelemetryFrame(pts), now));
          } else if (st.k === "timer") {
            now += st.dt;
            keep(s.onTimer(now));
          } else if (st.k === "near") {
            keep(s.onProximity(regionOf(INSIDE.lat, INSIDE.lon, 4), [`d${st.id}`]));
          } else if (st.k === "shed") {
            s.shedding.setLevel(regionOf(INSIDE.lat, INSIDE.lon, 4), st.level, now);
          } else if (st.k === "backlog") {
            s.shedding.setBacklog(regionOf(INSIDE.lat, INSIDE.lon, 4), st.fill);
          } else keep(s.onFrame(encodePingFrame(1), now));
        }
        keep(s.drain());
        const t = s.totals;
        const home = homePoints(batches);
        expect(new Set(home).size).toBe(home.length); // no point twice
        expect(home.length).toBe(t.pointsAccepted); // none lost
        expect(t.pointsReceived).toBe(t.pointsAccepted + t.pointsRejected + t.pointsRateLimited + t.pointsDeduped + t.pointsShed);
        expect(counter(batches, "shed")).toBe(t.pointsShed); // held back, counted, never after acceptance
        expect(counter(batches, "accepted")).toBe(t.pointsAccepted);
        expect(counter(batches, "batched")).toBe(batches.reduce((n, b) => n + b.points.length, 0));
        // Each point's receive time rides beside it: its frame's arrival, never after the batch left.
        for (const b of batches) {
          expect(b.receivedMs).toHaveLength(b.points.length);
          expect(b.receivedMs).toEqual(b.points.map((p) => p.timeMs));
        }
        expect(s.nextDeadline()).toBe(Number.POSITIVE_INFINITY); // drained: nothing waits
      }),
    );
  });

  it("sends counts that no batch carried within COUNTERS_FLUSH_MS in a batch of their own", () => {
    const s = relay();
    s.onFrame(encodeTelemetryFrame([point("a", T0)]), T0);
    s.onTimer(T0 + opts.batchWindowMs);
    s.onFrame(encodeTelemetryFrame([point("a", T0 + 10, INSIDE, 0, { ve: 500 })]), T0 + 100); // rejected (too fast): counted for a's region
    expect(s.nextDeadline()).toBe(T0 + 100 + COUNTERS_FLUSH_MS);
    const out = s.onTimer(T0 + 100 + COUNTERS_FLUSH_MS);
    expect(out.batches).toHaveLength(1);
    expect(out.batches[0]!.points).toEqual([]);
    expect(counter(out.batches, "rejected")).toBe(1);
  });
});
