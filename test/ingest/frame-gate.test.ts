// Limits before work (issue 11): what a bomb costs now, measured, and what each frame the gate refuses
// ends in. The bounds are generous for a busy 2-core machine and still far below the finding's
// ~180 ms and 42-77 MiB for ONE bomb.
import { describe, expect, it } from "vitest";
import { decodeServerFrame, encodePingFrame, encodeTelemetryFrame } from "../../src/client/wire.js";
import { DEFAULTS } from "../../src/config.js";
import { SessionCore, type SessionOutput } from "../../src/ingest/session-core.js";
import { CloseCode } from "../../src/wire/close-codes.js";
import { columnsBomb, paddedPingBomb, streamCountFrame } from "../helpers/bombs.js";

const T0 = 1_795_000_000_000;
const drone = () => new SessionCore({ role: "drone", sub: "d-1", fleet: "f" }, DEFAULTS, T0);
const kinds = (o: SessionOutput) => o.toClient.map((f) => decodeServerFrame(f)).map((m) => (m.type === "error" ? `error:${m.code}` : m.type));

/** Runs `frames` through a fresh drone session, one every `everyMs`; wall time and heap growth. */
function cost(frame: Uint8Array, n: number, everyMs: number) {
  const s = drone();
  globalThis.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  let closedAt = -1;
  let peak = 0;
  const seen = new Set<string>();
  for (let i = 0; i < n && closedAt < 0; i++) {
    const o = s.onFrame(frame, T0 + i * everyMs);
    for (const k of kinds(o)) seen.add(k);
    if (o.close) closedAt = i;
    if (i % 16 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - heap0);
  }
  return { ms: performance.now() - t0, peakMiB: peak / 2 ** 20, closedAt, seen, totals: s.totals };
}

describe("FrameGate: bombs cost a bounded amount and end in the documented close", () => {
  it("a 1 MiB columns bomb is refused by its point count before a point is built; repeats close with 1008", () => {
    const bomb = columnsBomb();
    expect(bomb.length).toBeLessThan(64);
    // 20 bombs a second for 15 s of session time.
    const r = cost(bomb, 300, 50);
    expect(r.totals.pointsReceived).toBe(0); // nothing built, nothing counted
    expect(r.seen.has("error:TOO_MANY_POINTS")).toBe(true);
    expect(r.closedAt).toBeGreaterThan(0); // bad frames, then the abuse score: closed
    expect(r.ms).toBeLessThan(1500);
    expect(r.peakMiB).toBeLessThan(24);
  });

  it("a ping padded with 1 MiB of unknown fields is answered at most once, never kept, and the flood is closed", () => {
    const r = cost(paddedPingBomb(), 300, 50);
    expect(r.seen.has("pong")).toBe(true); // the first fits the byte budget (one largest frame)
    expect(r.closedAt).toBeGreaterThan(0);
    expect(r.ms).toBeLessThan(1500);
    expect(r.peakMiB).toBeLessThan(24);
  });

  it("closes a steady bomb flood with 1008 after the abuse score passes ABUSE_CLOSE_MS", () => {
    const s = drone();
    let close: SessionOutput["close"] = null;
    let at = 0;
    for (let i = 0; i < 400 && !close; i++) {
      at = i * 50;
      close = s.onFrame(paddedPingBomb(), T0 + at).close;
    }
    expect(close).toEqual({ code: CloseCode.POLICY, reason: "rate limit abuse" });
    expect(at).toBeGreaterThanOrEqual(DEFAULTS.abuseCloseMs);
    expect(at).toBeLessThan(DEFAULTS.abuseCloseMs + 2000);
  });

  it("builds a 5-byte stream frame's 4,096 points only when the points bucket is full, and ends the stream rather than drop one unread", () => {
    const s = drone();
    const frame = streamCountFrame(4096);
    expect(frame.length).toBe(5);
    s.onFrame(frame, T0);
    expect(s.totals.pointsReceived).toBe(4096); // the one a full bucket allows
    // The next one is over the points budget: refused unread, and since the client applied it to its
    // stream state when it sent it, the stream ends (1007) rather than drift apart from the client's.
    const o = s.onFrame(frame, T0 + 50);
    expect(o.close?.code).toBe(1007);
    expect(s.totals.framesLimited).toBe(1);
    expect(s.totals.pointsReceived).toBe(4096); // nothing of it was built
  });

  it("answers pings at the ping rate, drops the rest unanswered", () => {
    const s = drone();
    let pongs = 0;
    for (let i = 0; i < 100; i++) pongs += kinds(s.onFrame(encodePingFrame(i), T0)).filter((k) => k === "pong").length;
    expect(pongs).toBe(5); // PING_BURST
    expect(kinds(s.onFrame(encodePingFrame(1), T0 + 1000))).toEqual(["pong"]);
  });

  it("skips unknown fields of a telemetry frame without keeping them", () => {
    const s = drone();
    const plain = encodeTelemetryFrame([{ droneId: "", timeMs: T0, lat: 52.5, lon: 13.4, altM: 100, vn: 0, ve: 1, vu: 0 }]);
    const padded = Uint8Array.from([...plain, 0xfa, 0x01, 0x03, 1, 2, 3]); // field 31: unknown
    const o = s.onFrame(padded, T0);
    expect(o.close).toBeNull();
    expect(s.totals.pointsAccepted).toBe(1);
  });
});
