/**
 * The shape of a ClientFrame's bytes, checked before the generic decoder reads them: every known field
 * under its own wire type, every length inside its message, no varint past 64 bits, no groups (proto3
 * has none), and counts that bound what decoding allocates: at most `maxPoints` entries in any repeated
 * field, at most MAX_FIELDS_PER_POINT × `maxPoints` fields in all. Without it a MiB of two-byte
 * elements (100 bytes with zstd) decoded into ~120 MB of objects before any limit was looked at.
 * One pass, no allocation; driven by the generated descriptors, so it follows the proto.
 */
import { type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import { ClientFrameSchema } from "../gen/airspace/v1/airspace_pb.js";
import { MAX_FIELDS_PER_POINT } from "../tunables.js";

/** Why a frame's bytes were refused: not protobuf as the proto says, or too many of something. */
export type ShapeReason = "malformed" | "too-many-points" | "too-many-fields";

export type FrameShape =
  | { ok: true }
  /** `kind`: the ClientFrame case last named before the refusal ("stream" makes it fatal). */
  | { ok: false; reason: ShapeReason; message: string; kind: string | undefined };

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

interface FieldPlan {
  /** Message.field, for messages. */
  name: string;
  /** The field's own name (a ClientFrame field's is the frame's kind). */
  local: string;
  /** Bit per wire type accepted. */
  wireTypes: number;
  /** The nested message's plan, for message fields. */
  message: MessagePlan | null;
  /** Index into the per-frame entry counts, -1 for a field that is not repeated. */
  list: number;
  /** Packed entries: 0 varints, 4 or 8 fixed-size. */
  packedSize: number;
}
type MessagePlan = Map<number, FieldPlan>;

let lists = 0;
function ownWireType(s: ScalarType): number {
  if (s === ScalarType.STRING || s === ScalarType.BYTES) return LEN;
  if (s === ScalarType.FIXED32 || s === ScalarType.SFIXED32 || s === ScalarType.FLOAT) return I32;
  if (s === ScalarType.FIXED64 || s === ScalarType.SFIXED64 || s === ScalarType.DOUBLE) return I64;
  return VARINT;
}

function planOf(desc: DescMessage, seen = new Map<DescMessage, MessagePlan>()): MessagePlan {
  const known = seen.get(desc);
  if (known) return known;
  const plan: MessagePlan = new Map();
  seen.set(desc, plan);
  for (const f of desc.fields as DescField[]) {
    const isList = f.fieldKind === "list";
    const msg = f.fieldKind === "message" ? f.message : f.fieldKind === "list" && f.listKind === "message" ? f.message : null;
    const scalar = f.fieldKind === "scalar" || (f.fieldKind === "list" && f.listKind === "scalar") ? f.scalar : ScalarType.INT32;
    const own = msg || f.fieldKind === "map" ? LEN : ownWireType(scalar);
    // A repeated number may come packed (one LEN field) or not: a parser must take both.
    const packable = isList && !msg && own !== LEN;
    plan.set(f.number, {
      name: `${desc.name}.${f.localName}`,
      local: f.localName,
      wireTypes: (1 << own) | (packable ? 1 << LEN : 0),
      message: msg ? planOf(msg, seen) : null,
      list: isList ? lists++ : -1,
      packedSize: own === I32 ? 4 : own === I64 ? 8 : 0,
    });
  }
  return plan;
}

const FRAME_PLAN = planOf(ClientFrameSchema);
const LIST_COUNT = lists;

class Refusal {
  constructor(
    readonly reason: ShapeReason,
    readonly message: string,
  ) {}
}

class Walk {
  pos = 0;
  fields = 0;
  kind: string | undefined = undefined;
  readonly entries = new Int32Array(LIST_COUNT);

  constructor(
    readonly b: Uint8Array,
    readonly maxPoints: number,
    readonly maxFields: number,
  ) {}

  malformed(why: string): Refusal {
    return new Refusal("malformed", `malformed protobuf at byte ${this.pos}: ${why}`);
  }

  /** A varint ending before `end`, at most 10 bytes and 64 bits; its value (inexact past 2^53). */
  varint(end: number): number {
    const b = this.b;
    let v = 0;
    let mul = 1;
    for (let i = 0; ; i++) {
      if (this.pos >= end) throw this.malformed("a varint runs past its message");
      const x = b[this.pos++]!;
      // The tenth byte holds bit 63 only: anything more is over 64 bits (or over 10 bytes).
      if (i === 9 && x > 1) throw this.malformed("a varint over 64 bits");
      v += (x & 0x7f) * mul;
      if (x < 0x80) return v;
      mul *= 128;
    }
  }

  count(f: FieldPlan, n: number): void {
    if (f.list >= 0) {
      this.entries[f.list]! += n;
      if (this.entries[f.list]! > this.maxPoints) throw new Refusal("too-many-points", `more than ${this.maxPoints} entries in ${f.name}`);
    }
    this.fields += n;
    if (this.fields > this.maxFields) throw new Refusal("too-many-fields", `more than ${this.maxFields} fields in one frame`);
  }

  /** Packed entries in [pos, end): one per varint (each ≤ 10 bytes) or per fixed-size value. */
  packed(f: FieldPlan, end: number): number {
    const len = end - this.pos;
    if (f.packedSize > 0) {
      if (len % f.packedSize !== 0) throw this.malformed(`packed ${f.name} of ${len} bytes`);
      return len / f.packedSize;
    }
    let n = 0;
    let run = 0;
    for (let i = this.pos; i < end; i++) {
      if (this.b[i]! < 0x80) {
        n++;
        run = 0;
      } else if (++run >= 10) throw this.malformed(`a varint longer than 10 bytes in ${f.name}`);
    }
    if (run > 0) throw this.malformed(`packed ${f.name} ends inside a varint`);
    return n;
  }

  message(plan: MessagePlan, end: number, top: boolean): void {
    while (this.pos < end) {
      const t = this.varint(end);
      if (t >= 2 ** 32) throw this.malformed("a tag over 32 bits");
      const no = Math.floor(t / 8);
      const wt = t % 8;
      if (no === 0) throw this.malformed("field number 0");
      const f = plan.get(no);
      if (f && top) this.kind = f.local;
      if (f && !(f.wireTypes & (1 << wt))) throw this.malformed(`${f.name} under wire type ${wt}`);
      if (wt === VARINT) this.varint(end);
      else if (wt === I32 || wt === I64) {
        this.pos += wt === I32 ? 4 : 8;
        if (this.pos > end) throw this.malformed("a fixed-size value runs past its message");
      } else if (wt === LEN) {
        const len = this.varint(end);
        if (len > end - this.pos) throw this.malformed(`a length of ${len} with ${end - this.pos} bytes left`);
        const stop = this.pos + len;
        if (f?.message) {
          this.count(f, 1);
          this.message(f.message, stop, false);
          continue;
        }
        if (f && f.wireTypes !== 1 << LEN) {
          this.count(f, this.packed(f, stop));
          this.fields++; // the packed field itself
          this.pos = stop;
          continue;
        }
        this.pos = stop;
      } else throw this.malformed(`wire type ${wt}${wt === 3 || wt === 4 ? " (groups are not read)" : ""}`);
      if (f) this.count(f, 1);
      else this.count(UNKNOWN, 1);
    }
  }
}

/** Unknown fields count towards the frame's fields only. */
const UNKNOWN: FieldPlan = { name: "unknown", local: "unknown", wireTypes: 0, message: null, list: -1, packedSize: 0 };

/** Whether `bytes` may be handed to the generic decoder for a frame of at most `maxPoints` points. */
export function checkFrameShape(bytes: Uint8Array, maxPoints: number): FrameShape {
  const w = new Walk(bytes, maxPoints, MAX_FIELDS_PER_POINT * maxPoints + 64);
  try {
    w.message(FRAME_PLAN, bytes.length, true);
    return { ok: true };
  } catch (e) {
    if (!(e instanceof Refusal)) throw e;
    return { ok: false, reason: e.reason, message: e.message, kind: w.kind };
  }
}
