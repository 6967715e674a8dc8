/**
 * Well-formed protobuf with hostile content: stream frames that cannot be read against the
 * connection's table, columns that do not line up, points outside every range the gateway accepts.
 */
import { type MessageInitShape, create, toBinary } from "@bufbuild/protobuf";
import { ClientFrameSchema, PointSchema, TelemetryColumnsSchema, TelemetryStreamSchema } from "../gen/airspace/v1/airspace_pb.js";
import type { Attack, AttackContext } from "./attack.js";
import { type Draw, chance, int, pick } from "./draw.js";

const I32_MAX = 2 ** 31 - 1;

type StreamInit = MessageInitShape<typeof TelemetryStreamSchema>;

function streamBytes(m: StreamInit): Uint8Array {
  return toBinary(ClientFrameSchema, create(ClientFrameSchema, { kind: { case: "stream", value: create(TelemetryStreamSchema, m) } }));
}

function ids(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}

/** Stream frames the gateway cannot read against any state it may hold: each must end the stream (1007). */
const STREAM: ((r: Draw, ctx: AttackContext) => [string, StreamInit])[] = [
  (r, ctx) => ["a drone index past the table", { points: 1, droneRef: [ctx.lane.streamTable + 1 + int(r, 0, 1000)], latE7: [1] }],
  (r) => ["a negative drone index", { points: 1, droneRef: [-int(r, 1, I32_MAX)], latE7: [1] }],
  () => ["an index that wraps past 2^31", { points: 2, droneRef: [I32_MAX, I32_MAX], latE7: [1, 2] }],
  () => ["the same new id twice", { newDroneIds: ["dup", "dup"], reset: true, points: 0 }],
  (r) => ["a new id of 65+ characters", { newDroneIds: ["x".repeat(int(r, 65, 4000))], reset: true }],
  () => ["an empty new id", { newDroneIds: [""], reset: true }],
  (r) => ["a column shorter than the points", { points: int(r, 2, 50), latE7: [1] }],
  (_r, ctx) => ["more new ids than the table holds", { newDroneIds: ids("t", ctx.lane.streamTable + 1), reset: true }],
  (_r, ctx) => ["one point over the frame limit", { points: ctx.maxPointsPerFrame + 1 }],
  (r) => ["a base time before 1970", { reset: true, baseTimeDeltaMs: -BigInt(int(r, 1, I32_MAX)), points: 0 }],
];

export function streamHostile(r: Draw, ctx: AttackContext): Attack {
  const [detail, m] = pick(r, STREAM)(r, ctx);
  return { data: streamBytes(m), detail, expect: "stream-lost" };
}

function columnsBytes(c: MessageInitShape<typeof TelemetryColumnsSchema>): Uint8Array {
  return toBinary(ClientFrameSchema, create(ClientFrameSchema, { kind: { case: "columns", value: create(TelemetryColumnsSchema, c) } }));
}

/** `n` entries of each numeric column, all zeros but the position and the time. */
function columnsOf(ctx: AttackContext, n: number) {
  const z = () => new Array<number>(n).fill(0);
  const lat = z();
  const lon = z();
  lat[0] = Math.round(ctx.lane.center.lat * 1e7);
  lon[0] = Math.round(ctx.lane.center.lon * 1e7);
  return { baseTimeMs: BigInt(ctx.nowMs), tOffsetMs: z(), latE7: lat, lonE7: lon, altMm: z(), vnCms: z(), veCms: z(), vdCms: z(), battery: z(), seq: z() };
}

/** Columns that do not describe points: each is a BAD_FRAME (the socket stays open). */
export function columnsHostile(r: Draw, ctx: AttackContext): Attack {
  const n = int(r, 1, 20);
  // A column of up to n + 5 entries: within the frame limit it is a BAD_FRAME, past it TOO_MANY_POINTS.
  const bad = n + 5 <= ctx.maxPointsPerFrame ? "bad-frame" : "refused";
  const variants: [string, () => Uint8Array, Attack["expect"]][] = [
    [
      "a drone index past the id table",
      () => columnsBytes({ ...columnsOf(ctx, n), droneIds: ["a"], droneIndex: new Array<number>(n).fill(int(r, 1, 2 ** 32 - 1)) }),
      bad,
    ],
    ["columns of different lengths", () => columnsBytes({ ...columnsOf(ctx, n), altMm: new Array<number>(n + int(r, 1, 5)).fill(0) }), bad],
    ["several ids but no index", () => columnsBytes({ ...columnsOf(ctx, n), droneIds: ["a", "b"] }), bad],
    [
      "an index column of the wrong length",
      () => columnsBytes({ ...columnsOf(ctx, n), droneIds: ["a"], droneIndex: [0, ...new Array<number>(n).fill(0)] }),
      bad,
    ],
    ["one point over the frame limit", () => columnsBytes({ ...columnsOf(ctx, ctx.maxPointsPerFrame + 1) }), "refused"],
    [
      "deltas that wrap past int32",
      () => columnsBytes({ ...columnsOf(ctx, 2), latE7: [I32_MAX, I32_MAX], lonE7: [I32_MAX, 1], droneIds: ctx.lane.role === "relay" ? ["w"] : [] }),
      "any",
    ],
  ];
  const [detail, build, expect] = pick(r, variants);
  return { data: build(), detail, expect };
}

/** One field of a point, set outside what the gateway accepts (docs/protocol.md, INVALID_POINT). */
const OUT_OF_RANGE: [string, (r: Draw) => Partial<Record<string, number>>][] = [
  ["latitude", (r) => ({ latE7: pick(r, [-1, 1]) * int(r, 900_000_001, I32_MAX) })],
  ["longitude", (r) => ({ lonE7: pick(r, [-1, 1]) * int(r, 1_800_000_001, I32_MAX) })],
  ["altitude", (r) => ({ altMm: chance(r, 0.5) ? int(r, 20_000_001, I32_MAX) : -int(r, 500_001, I32_MAX) })],
  ["ground speed", (r) => ({ vnCms: pick(r, [-1, 1]) * int(r, 10_001, I32_MAX), veCms: int(r, 0, 100) })],
  ["vertical speed", (r) => ({ vdCms: pick(r, [-1, 1]) * int(r, 10_001, I32_MAX) })],
  ["battery", (r) => ({ batteryPct: int(r, 101, 2 ** 32 - 1) })],
  ["time in the future", (r) => ({ tOffsetMs: int(r, 10_001, I32_MAX) })],
  ["time in the past", (r) => ({ tOffsetMs: -int(r, 60_001, I32_MAX) })],
];

/** A row frame whose every point breaks one range, or names a drone it may not: INVALID_POINT or WRONG_DRONE. */
export function pointValues(r: Draw, ctx: AttackContext): Attack {
  const relay = ctx.lane.role === "relay";
  const n = int(r, 1, 8);
  const why: string[] = [];
  const points = Array.from({ length: n }, () => {
    const base = { latE7: Math.round(ctx.lane.center.lat * 1e7), lonE7: Math.round(ctx.lane.center.lon * 1e7), altMm: 100_000, tOffsetMs: 0 };
    const idAttack = chance(r, 0.25);
    if (idAttack) {
      const id = relay ? pick(r, ["", "é".repeat(int(r, 33, 200)), "x".repeat(int(r, 65, 300))]) : `not-${ctx.lane.sub}`;
      why.push(relay ? `drone id of ${id.length} characters` : "another drone's id");
      return create(PointSchema, { ...base, droneId: id });
    }
    const [name, field] = pick(r, OUT_OF_RANGE);
    why.push(name);
    return create(PointSchema, { ...base, droneId: relay ? pick(r, ctx.lane.relayDrones) : "", ...field(r) });
  });
  const data = toBinary(ClientFrameSchema, create(ClientFrameSchema, { kind: { case: "telemetry", value: { baseTimeMs: BigInt(ctx.nowMs), points } } }));
  return { data, detail: why.join(", "), expect: "invalid-point" };
}
