/** Messages that were never frames: random bytes, random protobuf-shaped fields, nothing, text, too much. */
import type { Attack, AttackContext } from "./attack.js";
import { type Draw, chance, int, pick, randomBytes, skewedLength } from "./draw.js";
import { WireType, lenField, tag, varint } from "./wire-bytes.js";

export function randomNoise(r: Draw, _ctx: AttackContext): Attack {
  const n = skewedLength(r, 4096);
  return { data: randomBytes(r, n), detail: `${n} bytes`, expect: "any" };
}

/** Fields with random numbers and wire types, nested at random: gets past a first-byte check. */
function fieldSoup(r: Draw, depth: number, budget: number): number[] {
  const out: number[] = [];
  while (out.length < budget && chance(r, 0.85)) {
    const no = chance(r, 0.7) ? int(r, 1, 15) : int(r, 16, 2 ** 29 - 1);
    const wt = pick(r, [0, 0, 1, 2, 2, 2, 5, 3, 4, 6, 7]);
    out.push(...tag(no, wt));
    if (wt === WireType.VARINT) out.push(...varint(BigInt(int(r, 0, 2 ** 31)) ** BigInt(int(r, 1, 2))));
    else if (wt === WireType.I64) out.push(...randomBytes(r, 8));
    else if (wt === WireType.I32) out.push(...randomBytes(r, 4));
    else if (wt === WireType.LEN) {
      const body = depth < 4 && chance(r, 0.5) ? fieldSoup(r, depth + 1, budget >> 1) : Array.from(randomBytes(r, int(r, 0, 16)));
      out.push(...varint(body.length), ...body);
    }
  }
  return out;
}

export function randomFields(r: Draw, _ctx: AttackContext): Attack {
  const top = int(r, 1, 4);
  const soup = fieldSoup(r, 1, 512);
  return { data: Uint8Array.from(chance(r, 0.7) ? lenField(top, soup) : soup), detail: `${soup.length} bytes of fields under field ${top}`, expect: "any" };
}

export function emptyFrame(): Attack {
  return { data: new Uint8Array(0), detail: "0 bytes", expect: "bad-frame" };
}

const TEXTS = ["", "hello", '{"type":"telemetry","points":[]}', "\u0000\u0001", "\uFFFD\uD83D\uDE80", "ping"];

/** A text frame: the protocol is binary only (docs/protocol.md). */
export function textFrame(r: Draw, _ctx: AttackContext): Attack {
  const s = chance(r, 0.5) ? pick(r, TEXTS) : String.fromCharCode(...Array.from({ length: skewedLength(r, 2048) }, () => int(r, 1, 0xd7ff)));
  return { data: s, detail: `${s.length} characters`, expect: "bad-frame" };
}

/** A frame past MAX_FRAME_BYTES: refused before anything reads it. */
export function oversize(r: Draw, ctx: AttackContext): Attack {
  const n = ctx.maxFrameBytes + int(r, 1, 65_536);
  const data = new Uint8Array(n);
  data.set(randomBytes(r, 64));
  return { data, detail: `${n} bytes`, expect: "too-large" };
}
