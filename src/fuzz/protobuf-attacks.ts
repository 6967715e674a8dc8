/**
 * Frames that break the protobuf wire format itself (protobuf.dev/programming-guides/encoding): a
 * known field under the wrong wire type, varints longer than 64 bits or holding extreme values,
 * lengths past the end of their message.
 */
import type { DescField, DescMessage } from "@bufbuild/protobuf";
import { ScalarType } from "@bufbuild/protobuf";
import { ClientFrameSchema } from "../gen/airspace/v1/airspace_pb.js";
import type { Attack, AttackContext } from "./attack.js";
import { type Draw, int, pick, randomBytes } from "./draw.js";
import { WireType, lenField, packedField, tag, varint, varintField, zigzag } from "./wire-bytes.js";

const U64_MAX = 2n ** 64n - 1n;

/** The wire types a parser must accept for `f`: its own, and both encodings of a packable list. */
function wireTypesOf(f: DescField): number[] {
  if (f.fieldKind === "message" || (f.fieldKind === "list" && f.listKind === "message")) return [WireType.LEN];
  const s = f.fieldKind === "scalar" || (f.fieldKind === "list" && f.listKind === "scalar") ? f.scalar : ScalarType.INT32;
  let own: number = WireType.VARINT;
  if (s === ScalarType.STRING || s === ScalarType.BYTES) own = WireType.LEN;
  else if (s === ScalarType.FIXED32 || s === ScalarType.SFIXED32 || s === ScalarType.FLOAT) own = WireType.I32;
  else if (s === ScalarType.FIXED64 || s === ScalarType.SFIXED64 || s === ScalarType.DOUBLE) own = WireType.I64;
  return f.fieldKind === "list" && own !== WireType.LEN ? [own, WireType.LEN] : [own];
}

/** A field body for wire type `wt` (types 6 and 7 do not exist: a bare tag). */
function bodyFor(r: Draw, field: number, wt: number): number[] {
  switch (wt) {
    case WireType.VARINT:
      return varint(BigInt(int(r, 0, 2 ** 31)) * BigInt(int(r, 1, 2 ** 20)));
    case WireType.I64:
      return Array.from(randomBytes(r, 8));
    case WireType.I32:
      return Array.from(randomBytes(r, 4));
    case WireType.LEN:
      return [...varint(int(r, 0, 6)), ...Array.from(randomBytes(r, 6))];
    case WireType.SGROUP:
      return [...varintField(field + 1, 1), ...tag(field, WireType.EGROUP)];
    default:
      return [];
  }
}

/** Known messages by their path of field numbers from the ClientFrame. */
const PATHS: number[][] = [[], [1], [1, 2], [2], [3], [4]];

function messageAt(path: number[]): DescMessage {
  let m: DescMessage = ClientFrameSchema;
  for (const no of path) m = m.fields.find((f) => f.number === no)!.message!;
  return m;
}

/** `inner` wrapped in the messages along `path`, the innermost first. */
function wrap(path: number[], inner: number[]): number[] {
  return path.reduceRight((body, no) => lenField(no, body), inner);
}

/** A known field under a wire type its type never has: the frame is malformed, whatever follows. */
export function wrongWireType(r: Draw, _ctx: AttackContext): Attack {
  const path = pick(r, PATHS);
  const field = pick(r, messageAt(path).fields);
  const own = wireTypesOf(field);
  const wt = pick(
    r,
    [0, 1, 2, 3, 4, 5, 6, 7].filter((w) => !own.includes(w)),
  );
  const bytes = wrap(path, [...tag(field.number, wt), ...bodyFor(r, field.number, wt)]);
  return { data: Uint8Array.from(bytes), detail: `${messageAt(path).name}.${field.localName} as wire type ${wt}`, expect: "bad-frame" };
}

/** A drone-safe point's fields (relay lanes name a drone), for frames that only break one thing. */
function pointFields(ctx: AttackContext): number[] {
  const id = ctx.lane.role === "relay" ? lenField(1, Array.from(new TextEncoder().encode(ctx.lane.relayDrones[0]!))) : [];
  const lat = Math.round(ctx.lane.center.lat * 1e7);
  const lon = Math.round(ctx.lane.center.lon * 1e7);
  const fixed = (no: number, v: number) => [...tag(no, WireType.I32), v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
  return [...id, ...fixed(3, lat), ...fixed(4, lon), ...varintField(5, zigzag(100_000))];
}

const HUGE_VARINTS: ((r: Draw, ctx: AttackContext) => Attack)[] = [
  (_r, ctx) => ({
    data: Uint8Array.from(lenField(1, [...varintField(1, U64_MAX), ...lenField(2, pointFields(ctx))])),
    detail: "base_time_ms = 2^64 - 1",
    expect: "invalid-point",
  }),
  (r) => ({ data: Uint8Array.from([...new Array<number>(int(r, 10, 40)).fill(0xff), 0x01]), detail: "a tag varint past 10 bytes", expect: "bad-frame" }),
  (r) => ({
    data: Uint8Array.from([0x0a, ...new Array<number>(int(r, 10, 20)).fill(0x80), 0x01, 0x08, 0x01]),
    detail: "a length varint past 10 bytes",
    expect: "bad-frame",
  }),
  (r) => ({ data: Uint8Array.from([0x0a, ...varint(2 ** 32 - 1), ...randomBytes(r, int(r, 0, 64))]), detail: "length 2^32 - 1", expect: "bad-frame" }),
  () => ({ data: Uint8Array.from([0x0a, ...varint(2n ** 32n + 2n), 0x08, 0x01]), detail: "length 2^32 + 2 (2 in its low 32 bits)", expect: "bad-frame" }),
  (r) => ({
    data: Uint8Array.from(lenField(1, [0x08, ...new Array<number>(9).fill(0xff), int(r, 2, 0x7f)])),
    detail: "a 10-byte varint over 64 bits",
    expect: "bad-frame",
  }),
  () => ({ data: Uint8Array.from(lenField(4, varintField(4, 2 ** 32 - 1))), detail: "stream points = 2^32 - 1", expect: "stream-lost" }),
  (r) => ({
    data: Uint8Array.from(lenField(4, [...varintField(1, zigzag(pick(r, [2n ** 63n - 1n, -(2n ** 63n)]))), ...varintField(4, 1)])),
    detail: "stream base_time_delta_ms = ±2^63",
    expect: "stream-lost",
  }),
  () => ({ data: Uint8Array.from(lenField(2, varintField(1, U64_MAX))), detail: "ping nonce = 2^64 - 1", expect: "clean" }),
  (r) => ({
    data: Uint8Array.from(
      lenField(3, [
        ...lenField(2, [0x78]),
        ...packedField(3, [2 ** 32 - 1]),
        ...[4, 5, 6, 7, 8, 9, 10, 11, 12].flatMap((no) => packedField(no, [int(r, 0, 9)])),
      ]),
    ),
    detail: "columns drone_index = 2^32 - 1",
    expect: "bad-frame",
  }),
  (r, ctx) => ({
    data: Uint8Array.from(lenField(1, [...varintField(1, ctx.nowMs), ...lenField(2, [...pointFields(ctx), 0x10, ...varint(U64_MAX - BigInt(int(r, 0, 9)))])])),
    detail: "t_offset_ms as a 10-byte varint",
    expect: "any",
  }),
];

export function hugeVarint(r: Draw, ctx: AttackContext): Attack {
  return pick(r, HUGE_VARINTS)(r, ctx);
}

/** A length-delimited field that claims more bytes than its message has left. */
export function lengthOverflow(r: Draw, ctx: AttackContext): Attack {
  const extra = int(r, 1, 1000);
  const point = pointFields(ctx);
  const variants: [string, number[]][] = [
    ["a point longer than its telemetry", [0x0a, ...varint(point.length + 2), 0x12, ...varint(point.length + extra), ...point]],
    ["a telemetry longer than the frame", [0x0a, ...varint(point.length + 2 + extra), 0x12, ...varint(point.length), ...point]],
    ["a packed column longer than its columns", [0x1a, ...varint(4), 0x2a, ...varint(2 + extra), 0x02, 0x04]],
    ["a drone id longer than its point", lenField(1, [0x12, ...varint(4), 0x0a, ...varint(2 + extra), 0x61, 0x62])],
    ["a stream id longer than the stream", [0x22, ...varint(4), 0x1a, ...varint(2 + extra), 0x61, 0x62]],
  ];
  const [detail, bytes] = pick(r, variants);
  return { data: Uint8Array.from(bytes), detail, expect: "bad-frame" };
}
