/**
 * Frames within MAX_FRAME_BYTES made of the smallest elements protobuf has: two bytes per point, per
 * column entry, per unknown field. Decoded naively, each two bytes become an object or an array slot
 * (a MiB became ~120 MB of heap and 0.6 s of CPU), and zstd makes the MiB cost ~100 bytes on the wire.
 * Each must be refused for its count before it is materialised.
 */
import type { Attack, AttackContext } from "./attack.js";
import { type Draw, chance, int } from "./draw.js";
import { lenFieldBytes, repeatTo } from "./wire-bytes.js";
import { MAX_FIELDS_PER_POINT } from "../tunables.js";
import { ZSTD_BLOCK_MAX, rawZstd } from "./zstd-frames.js";

const SOUPS: [string, (n: number) => Uint8Array][] = [
  ["empty points", (n) => lenFieldBytes(1, repeatTo([0x12, 0x00], n))],
  // A trailing unknown field sends the frame past the fast row reader to the generic decoder.
  ["empty points, then an unknown field", (n) => lenFieldBytes(1, repeatTo([0x12, 0x00], n, [0x78, 0x01]))],
  ["unknown fields", (n) => repeatTo([0x78, 0x00], n)],
  ["unknown fields in a telemetry", (n) => lenFieldBytes(1, repeatTo([0x78, 0x00], n))],
  ["empty drone ids in columns", (n) => lenFieldBytes(3, repeatTo([0x12, 0x00], n))],
  ["a packed column of zeros", (n) => lenFieldBytes(3, lenFieldBytes(5, new Uint8Array(n)))],
  ["an unpacked column", (n) => lenFieldBytes(3, repeatTo([0x28, 0x00], n))],
  ["empty new ids in a stream", (n) => lenFieldBytes(4, repeatTo([0x1a, 0x00], n))],
  ["a packed stream column", (n) => lenFieldBytes(4, lenFieldBytes(7, new Uint8Array(n)))],
  ["empty telemetries, merged", (n) => repeatTo([0x0a, 0x00], n)],
  ["the oneof flipping", (n) => repeatTo([0x0a, 0x00, 0x1a, 0x00], n)],
];

/** Sizes in steps of this many bytes, so that a compressed soup is made once per size, not per case. */
const STEP = 1 << 16;
const packed = new WeakMap<(b: Uint8Array) => Uint8Array, Map<string, Uint8Array>>();

function compressed(compress: (b: Uint8Array) => Uint8Array, key: string, plain: Uint8Array): Uint8Array {
  let cache = packed.get(compress);
  if (!cache) {
    cache = new Map();
    packed.set(compress, cache);
  }
  let z = cache.get(key);
  if (!z) {
    z = compress(plain);
    cache.set(key, z);
  }
  return z;
}

export function elementBomb(r: Draw, ctx: AttackContext): Attack {
  const i = int(r, 0, SOUPS.length - 1);
  const [name, soup] = SOUPS[i]!;
  // Room for the soup inside the frame limit, even wrapped in raw zstd blocks (3 bytes each).
  const room = ctx.maxFrameBytes - 64 - 3 * Math.ceil(ctx.maxFrameBytes / ZSTD_BLOCK_MAX);
  // Two bytes per element: past every per-frame count, whichever soup it is.
  const least = 2 * (MAX_FIELDS_PER_POINT * ctx.maxPointsPerFrame + 64) + 16;
  const step = Math.max(1, Math.min(STEP, room >> 3));
  const n = Math.min(room, Math.max(least, int(r, 1, Math.max(1, Math.floor(room / step))) * step));
  const plain = soup(n);
  const how = ctx.compress && chance(r, 0.5) ? "zstd" : chance(r, 0.2) ? "raw zstd blocks" : "plain";
  const data = how === "zstd" ? compressed(ctx.compress!, `${i}:${n}`, plain) : how === "plain" ? plain : rawZstd(plain);
  // A stream frame the gateway will not read must end the stream: its client already applied it.
  // Limits that leave no room for a bomb leave a soup held to the general rules only.
  const expect = n < least ? "any" : name.includes("stream") ? "stream-lost" : "refused";
  return { data, detail: `${name}: ${plain.length} bytes, ${how} (${data.length} on the wire)`, expect };
}
