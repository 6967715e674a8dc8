/**
 * The hostile-bytes generator: named kinds of client message, weighted, each built from the client's
 * own valid frames (valid-frames.ts) or from the wire format by hand, with what it must end in. Case
 * `i` of seed `s` is always the same bytes given the same socket state, so a failure reproduces.
 */
import type { Attack, AttackBuilder, AttackContext } from "./attack.js";
import { type Draw, caseDraw } from "./draw.js";
import { elementBomb } from "./element-bombs.js";
import { mutate, truncate } from "./mutations.js";
import { emptyFrame, oversize, randomFields, randomNoise, textFrame } from "./noise-attacks.js";
import { hugeVarint, lengthOverflow, wrongWireType } from "./protobuf-attacks.js";
import { columnsHostile, pointValues, streamHostile } from "./semantic-attacks.js";
import { type BuiltFrame, FORMS, type Form, type LaneView, validFrame } from "./valid-frames.js";
import { zstdBomb, zstdMalformed } from "./zstd-attacks.js";
import { encodePingFrame } from "../client/wire.js";
import type { StreamEncoder } from "../wire/telemetry-stream.js";

/** One generated message for one socket. */
export interface HostileCase extends Attack {
  kind: string;
  /** The encoder of a valid stream frame: commit it once the gateway took the frame. */
  stream?: StreamEncoder;
  /** False when the gateway's stream state may have moved in a way the lane's encoder cannot follow. */
  keepsStream: boolean;
}

interface Kind {
  name: string;
  weight: number;
  /** True for cases that can never be (or apply) a stream frame the lane did not make. */
  keepsStream: boolean;
  build(r: Draw, ctx: AttackContext, valid: (form: Form) => BuiltFrame): Attack & { stream?: StreamEncoder };
}

const valid = (form: Form): Kind => ({
  name: `valid ${form}`,
  weight: 6,
  keepsStream: true,
  build: (_r, _ctx, v) => {
    const f = v(form);
    return { data: f.bytes, detail: `${f.bytes.length} bytes`, expect: "clean", ...(f.stream ? { stream: f.stream } : {}) };
  },
});

const damaged = (how: "truncated" | "mutated", form: Form): Kind => ({
  name: `${how} ${form}`,
  weight: how === "truncated" ? 3 : 5,
  keepsStream: false,
  build: (r, _ctx, v) => {
    const f = v(form);
    const m = how === "truncated" ? truncate(r, f.bytes) : mutate(r, f.bytes);
    return { data: m.bytes, detail: m.detail, expect: m.bytes.length === 0 ? "bad-frame" : "any" };
  },
});

const attack = (name: string, weight: number, build: AttackBuilder, keepsStream = false): Kind => ({
  name,
  weight,
  keepsStream,
  build: (r, ctx) => build(r, ctx),
});

/** Every kind, in the order the report lists them. */
export const KINDS: readonly Kind[] = [
  ...FORMS.map(valid),
  {
    name: "ping",
    weight: 2,
    keepsStream: true,
    build: (r) => ({ data: encodePingFrame(Math.floor(r() * 2 ** 40)), detail: "", expect: "clean" }),
  },
  ...FORMS.map((f) => damaged("truncated", f)),
  ...FORMS.map((f) => damaged("mutated", f)),
  attack("random bytes", 4, randomNoise),
  attack("random fields", 4, randomFields),
  attack("empty", 1, emptyFrame, true),
  attack("text", 2, textFrame, true),
  attack("oversize", 0.3, oversize, true),
  attack("wrong wire type", 4, wrongWireType),
  attack("huge varint", 4, hugeVarint),
  attack("length overflow", 3, lengthOverflow),
  attack("hostile stream", 4, streamHostile),
  attack("hostile columns", 3, columnsHostile),
  attack("hostile values", 4, pointValues),
  attack("zstd bomb", 2, zstdBomb, true),
  attack("malformed zstd", 3, zstdMalformed),
  attack("element bomb", 0.7, elementBomb),
];

export const KIND_NAMES: readonly string[] = KINDS.map((k) => k.name);

const TOTAL = KINDS.reduce((n, k) => n + k.weight, 0);

function kindAt(x: number): Kind {
  let acc = 0;
  for (const k of KINDS) {
    acc += k.weight;
    if (x * TOTAL < acc) return k;
  }
  return KINDS[KINDS.length - 1]!;
}

/** Case `index` of the run seeded `seed`, for the socket `lane` at `nowMs`; `only` restricts the kinds. */
export function hostileCase(seed: number, index: number, ctx: Omit<AttackContext, "valid">, only?: readonly string[]): HostileCase {
  const r = caseDraw(seed, index);
  let kind = kindAt(r());
  if (only) {
    const name = only[Math.floor(r() * only.length)];
    const k = KINDS.find((x) => x.name === name);
    if (!k) throw new RangeError(`no case kind ${JSON.stringify(name)}; kinds: ${KIND_NAMES.join(", ")}`);
    kind = k;
  }
  const v = (form: Form) => validFrame(r, ctx.lane, form, ctx.nowMs, ctx.compress);
  const built = kind.build(r, { ...ctx, valid: v }, v);
  return { ...built, kind: kind.name, keepsStream: kind.keepsStream };
}

export type { LaneView };
