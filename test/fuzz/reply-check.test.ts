import { describe, expect, it } from "vitest";
import { DEFAULTS } from "../../src/config.js";
import { batchProblems, readReplies } from "../../src/fuzz/reply-check.js";
import { ErrorCode } from "../../src/gen/airspace/v1/airspace_pb.js";
import type { SessionBatch, SessionOutput } from "../../src/ingest/session-output.js";
import { CloseCode } from "../../src/wire/close-codes.js";
import { newCounters } from "../../src/wire/counters.js";
import type { TelemetryPoint } from "../../src/wire/point.js";
import { alertFrame, errorFrame, pongFrame, rateLimitFrame } from "../../src/wire/server-frames.js";

const NOW = 1_795_000_000_000;
const out = (toClient: Uint8Array[], close: SessionOutput["close"] = null): SessionOutput => ({ toClient, batches: [], close, renew: null });
const OTHER: TelemetryPoint = { droneId: "o", timeMs: NOW, lat: 45, lon: 4, altM: 100, vn: 0, ve: 0, vu: 0, battery: -1, seq: -1 };
const counters = {
  frames: 1n,
  pointsReceived: 0n,
  pointsAccepted: 0n,
  pointsRejected: 0n,
  pointsRateLimited: 0n,
  pointsDeduped: 0n,
  alertsDelivered: 0n,
  pointsLost: 0n,
  pointsShed: 0n,
};

describe("readReplies", () => {
  it("reads errors, notices and pongs, and passes each documented close after its error frame", () => {
    const r = readReplies(out([errorFrame(ErrorCode.BAD_FRAME, "bad"), rateLimitFrame("d", 3, 100), pongFrame(1n, counters)]));
    expect(r).toEqual({ errors: [ErrorCode.BAD_FRAME], pong: true, problems: [] });
    for (const [code, err] of [
      [CloseCode.POLICY, ErrorCode.POLICY],
      [CloseCode.STREAM_LOST, ErrorCode.STREAM],
      [CloseCode.TOO_BIG, ErrorCode.FRAME_TOO_LARGE],
    ] as const)
      expect(readReplies(out([errorFrame(err, "why")], { code, reason: "r" })).problems).toEqual([]);
  });

  it.each([
    ["bytes that are not a ServerFrame", out([Uint8Array.from([0xff, 0xff, 0xff])]), /not a ServerFrame/],
    ["an empty reply", out([new Uint8Array(0)]), /a reply of 0 bytes/],
    ["a huge reply", out([errorFrame(ErrorCode.BAD_FRAME, "x".repeat(5000))]), /a reply of \d+ bytes/],
    ["an error without a code", out([errorFrame(ErrorCode.UNSPECIFIED, "why")]), /error frame with code 0/],
    ["an error without a message", out([errorFrame(ErrorCode.BAD_FRAME, "")]), /without a message/],
    [
      "an alert in reply to a client frame",
      out([
        alertFrame({
          alertId: "a",
          droneId: "d",
          otherId: "o",
          level: "caution",
          tEntryS: 1,
          tCpaS: 1,
          hsepCpaM: 1,
          vsepCpaM: 1,
          other: OTHER,
          computedForMs: NOW,
          manoeuvre: "climb",
          otherAgeMs: 0,
        }),
      ]),
      /^alert frame in reply/,
    ],
    ["five replies to one frame", out(new Array(5).fill(errorFrame(ErrorCode.BAD_FRAME, "b"))), /5 replies/],
    [
      "a close no client can cause",
      out([errorFrame(ErrorCode.BAD_FRAME, "b")], { code: CloseCode.INTERNAL, reason: "r" }),
      /close 1011 is not a close a client can cause/,
    ],
    [
      "a 1009 without FRAME_TOO_LARGE",
      out([errorFrame(ErrorCode.BAD_FRAME, "b")], { code: CloseCode.TOO_BIG, reason: "r" }),
      /close 1009 without its FRAME_TOO_LARGE/,
    ],
  ])("flags %s", (_what, o, problem) => {
    expect(readReplies(o).problems).toEqual([expect.stringMatching(problem)]);
  });
});

describe("batchProblems", () => {
  const good: TelemetryPoint = { droneId: "d1", timeMs: NOW, lat: 45.76, lon: 4.84, altM: 100, vn: 3, ve: 4, vu: 0, battery: 50, seq: -1 };
  const batch = (points: TelemetryPoint[], regionKey = "u05k"): SessionBatch => ({
    regionKey,
    points,
    ghost: new Uint8Array(points.length),
    counters: newCounters(),
    receivedMs: points.map(() => NOW),
  });
  const rules = { opts: DEFAULTS, ownDroneId: null, nowMs: NOW };

  it("passes a batch of valid points", () => {
    expect(batchProblems(batch([good, { ...good, droneId: "é".repeat(32), battery: -1, seq: 2 ** 32 - 1 }]), rules)).toEqual([]);
  });

  it.each([
    ["a NaN position", { lat: Number.NaN }, /lat NaN/],
    ["a latitude past the pole", { lat: 90.5 }, /off the globe/],
    ["an altitude out of range", { altM: 25_000 }, /altitude/],
    ["a speed over the limit", { vn: 80, ve: 80 }, /speed/],
    ["a time too far ahead", { timeMs: NOW + 60_000 }, /time/],
    ["a battery over 100", { battery: 101 }, /battery/],
    ["an empty drone id", { droneId: "" }, /drone id/],
    ["a drone id over 64 bytes", { droneId: "é".repeat(33) }, /drone id/],
  ])("flags %s", (_what, over, problem) => {
    expect(batchProblems(batch([{ ...good, ...over }]), rules)).toEqual([expect.stringMatching(problem)]);
  });

  it("flags another drone's point on a drone socket, a bad region key and a batch whose shape is off", () => {
    expect(batchProblems(batch([good]), { ...rules, ownDroneId: "d2" })).toEqual([expect.stringMatching(/another drone's id/)]);
    expect(batchProblems(batch([good], "u05"), rules)).toEqual([expect.stringMatching(/region "u05"/)]);
    const b = batch([good]);
    b.ghost = new Uint8Array(2);
    b.counters[0] = -1;
    expect(batchProblems(b, rules)).toEqual([expect.stringMatching(/2 ghost flags/), "counters that are not counts"]);
  });
});
