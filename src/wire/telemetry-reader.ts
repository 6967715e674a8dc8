/**
 * The fast path for the message nearly every socket sends: a ClientFrame holding one Telemetry, read
 * straight from its bytes into the generated types' plain objects. protobuf-es's reflective reader
 * spends a quarter of the gateway's allocations per report on it (scripts/profile/heap-profile.ts).
 * Anything else, or anything this reader is not sure of (another field or kind, a non-ASCII id, an
 * over-long varint, trailing bytes), returns null and the generic decoder takes the frame, so the two
 * never disagree (property-tested against fromBinary).
 */
import type { ClientFrame, Point } from "../gen/airspace/v1/airspace_pb.js";
import { decodeShort } from "./short-strings.js";

/** Wire tags (field << 3 | wire type) of the fields read here. */
const CLIENT_FRAME_TELEMETRY = 0x0a;
const TELEMETRY_BASE_TIME = 0x08;
const TELEMETRY_POINT = 0x12;

class Unsure extends Error {}
const UNSURE = new Unsure();

class Reader {
  pos = 0;
  constructor(readonly b: Uint8Array) {}

  /** A varint of at most 32 bits (5 bytes), as uint32. */
  u32(): number {
    const b = this.b;
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= b.length) throw UNSURE;
      const x = b[this.pos++]!;
      if (shift === 28 && x > 0x0f) throw UNSURE; // more than 32 bits: leave it to the generic reader
      v |= (x & 0x7f) << shift;
      if (x < 0x80) return v >>> 0;
    }
    throw UNSURE;
  }

  /** A varint below 2^53, as a number. */
  u53(): number {
    const b = this.b;
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= b.length) throw UNSURE;
      const x = b[this.pos++]!;
      v += (x & 0x7f) * mul;
      if (x < 0x80) {
        if (v > Number.MAX_SAFE_INTEGER) throw UNSURE; // exact only below 2^53
        return v;
      }
      mul *= 128;
    }
    throw UNSURE;
  }

  s32(): number {
    const n = this.u32();
    return (n >>> 1) ^ -(n & 1);
  }

  sfixed32(): number {
    const b = this.b;
    const p = this.pos;
    if (p + 4 > b.length) throw UNSURE;
    this.pos = p + 4;
    return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
  }

  /** End offset of a length-delimited field that must lie within `end`. */
  lenEnd(end: number): number {
    const n = this.u32();
    const e = this.pos + n;
    if (e > end) throw UNSURE;
    return e;
  }
}

function readPoint(r: Reader, end: number): Point {
  let droneId = "";
  let tOffsetMs = 0;
  let latE7 = 0;
  let lonE7 = 0;
  let altMm = 0;
  let vnCms = 0;
  let veCms = 0;
  let vdCms = 0;
  let batteryPct: number | undefined;
  let seq: number | undefined;
  while (r.pos < end) {
    switch (r.u32()) {
      case 0x0a: {
        const e = r.lenEnd(end);
        // UTF-8 beyond ASCII: the generic reader's decoding rules apply.
        for (let i = r.pos; i < e; i++) if (r.b[i]! >= 0x80) throw UNSURE;
        droneId = decodeShort(r.b, r.pos, e); // the same string for every report of a drone, not one built per point
        r.pos = e;
        break;
      }
      case 0x10:
        tOffsetMs = r.s32();
        break;
      case 0x1d:
        latE7 = r.sfixed32();
        break;
      case 0x25:
        lonE7 = r.sfixed32();
        break;
      case 0x28:
        altMm = r.s32();
        break;
      case 0x30:
        vnCms = r.s32();
        break;
      case 0x38:
        veCms = r.s32();
        break;
      case 0x40:
        vdCms = r.s32();
        break;
      case 0x48:
        batteryPct = r.u32();
        break;
      case 0x50:
        seq = r.u32();
        break;
      default:
        throw UNSURE;
    }
  }
  if (r.pos !== end) throw UNSURE;
  const p: Point = { $typeName: "airspace.v1.Point", droneId, tOffsetMs, latE7, lonE7, altMm, vnCms, veCms, vdCms };
  if (batteryPct !== undefined) p.batteryPct = batteryPct;
  if (seq !== undefined) p.seq = seq;
  return p;
}

/**
 * The ClientFrame in `bytes` when it is a plain Telemetry frame this reader is sure of, else null.
 * Past `maxPoints` points it gives up too: the generic path refuses such a frame before decoding it.
 */
export function readTelemetryFrame(bytes: Uint8Array, maxPoints = Number.POSITIVE_INFINITY): ClientFrame | null {
  const r = new Reader(bytes);
  try {
    if (bytes.length === 0 || r.u32() !== CLIENT_FRAME_TELEMETRY) return null;
    const end = r.lenEnd(bytes.length);
    if (end !== bytes.length) return null; // another field follows: merging rules are the generic reader's
    let baseTimeMs = 0;
    // Sized by its first point (most frames carry one): an empty array's first push reserves 17 slots.
    let points: Point[] | null = null;
    while (r.pos < end) {
      const tag = r.u32();
      if (tag === TELEMETRY_BASE_TIME) baseTimeMs = r.u53();
      else if (tag === TELEMETRY_POINT) {
        if ((points?.length ?? 0) >= maxPoints) return null;
        const p = readPoint(r, r.lenEnd(end));
        if (points === null) points = [p];
        else points.push(p);
      } else return null;
    }
    points ??= [];
    return {
      $typeName: "airspace.v1.ClientFrame",
      kind: { case: "telemetry", value: { $typeName: "airspace.v1.Telemetry", baseTimeMs: BigInt(baseTimeMs), points } },
    };
  } catch (e) {
    if (e === UNSURE) return null;
    throw e;
  }
}
