/**
 * Byte-level mutations of a valid frame: what a broken encoder, a bad buffer or an attacker sends.
 * Each returns a new array and leaves its input alone.
 */
import { type Draw, int, pick, randomBytes } from "./draw.js";

/** Bytes that sit on varint and sign boundaries. */
const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];

function splice(b: Uint8Array, at: number, remove: number, insert: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(b.length - remove + insert.length);
  out.set(b.subarray(0, at));
  out.set(insert, at);
  out.set(b.subarray(at + remove), at + insert.length);
  return out;
}

const MUTATORS = {
  bitflip(r: Draw, b: Uint8Array): Uint8Array {
    const out = b.slice();
    for (let n = int(r, 1, 8); n > 0 && out.length > 0; n--) out[int(r, 0, out.length - 1)]! ^= 1 << int(r, 0, 7);
    return out;
  },
  interesting(r: Draw, b: Uint8Array): Uint8Array {
    const out = b.slice();
    for (let n = int(r, 1, 4); n > 0 && out.length > 0; n--) out[int(r, 0, out.length - 1)] = pick(r, INTERESTING);
    return out;
  },
  insert(r: Draw, b: Uint8Array): Uint8Array {
    return splice(b, int(r, 0, b.length), 0, randomBytes(r, int(r, 1, 16)));
  },
  delete(r: Draw, b: Uint8Array): Uint8Array {
    const at = int(r, 0, b.length);
    return splice(b, at, Math.min(b.length - at, int(r, 1, 16)), []);
  },
  duplicate(r: Draw, b: Uint8Array): Uint8Array {
    const from = int(r, 0, b.length);
    const chunk = b.slice(from, from + int(r, 1, 64));
    return splice(b, int(r, 0, b.length), 0, chunk);
  },
  /** An over-long varint (continuation bits past 10 bytes) where a tag or length would be. */
  varintBomb(r: Draw, b: Uint8Array): Uint8Array {
    const bomb = [...new Array<number>(int(r, 5, 16)).fill(0xff), int(r, 0, 0x7f)];
    return splice(b, int(r, 0, b.length), 0, bomb);
  },
} as const;

export type MutationName = keyof typeof MUTATORS;
const NAMES = Object.keys(MUTATORS) as MutationName[];

/** One to three mutations of `b`, and their names. */
export function mutate(r: Draw, b: Uint8Array): { bytes: Uint8Array; detail: string } {
  let out = b;
  const names: MutationName[] = [];
  for (let n = int(r, 1, 3); n > 0; n--) {
    const name = pick(r, NAMES);
    names.push(name);
    out = MUTATORS[name](r, out);
  }
  return { bytes: out, detail: names.join("+") };
}

/** A prefix of `b` one byte short or more (never the whole frame). */
export function truncate(r: Draw, b: Uint8Array): { bytes: Uint8Array; detail: string } {
  const n = b.length === 0 ? 0 : int(r, 0, b.length - 1);
  return { bytes: b.slice(0, n), detail: `${n}/${b.length} bytes` };
}
