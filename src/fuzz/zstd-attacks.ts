/**
 * zstd messages the gateway must refuse: bombs (output, declared size or window past the frame
 * limit: 1009) and frames it will not read (several frames, a dictionary, a reserved block, nesting,
 * sequences that claim more than their block: BAD_FRAME). Built by hand (zstd-frames.ts), so they run in workerd as well as in Node.
 */
import type { Attack, AttackContext } from "./attack.js";
import { type Draw, int, pick } from "./draw.js";
import {
  MAX_SEQUENCES,
  ZSTD_BLOCK_MAX,
  concatBytes,
  declaredSize,
  rawZstd,
  reservedBlock,
  rleBomb,
  sequenceBomb,
  skippable,
  windowed,
  withDictionary,
  wrongChecksum,
} from "./zstd-frames.js";

/** Output, declared size or window past the limit: refused with FRAME_TOO_LARGE and 1009. */
export function zstdBomb(r: Draw, ctx: AttackContext): Attack {
  const max = ctx.maxFrameBytes;
  const inner = ctx.valid("rows").bytes;
  const variants: (() => [string, Uint8Array])[] = [
    () => {
      const n = max + int(r, 1, 4 * ZSTD_BLOCK_MAX);
      return [`RLE blocks inflating to ${n} bytes, no size declared`, rleBomb(n, int(r, 0, 255))];
    },
    () => {
      const n = max + int(r, 1, 2 ** 31);
      return [`declares ${n} bytes`, declaredSize(n, inner)];
    },
    () => {
      const e = int(r, Math.ceil(Math.log2(max)) - 9, 31);
      return [`window of 2^${10 + e} bytes`, windowed(e, inner)];
    },
  ];
  const [detail, data] = pick(r, variants)();
  return { data, detail, expect: "too-large" };
}

/** zstd that is not one readable frame of a ClientFrame. */
export function zstdMalformed(r: Draw, ctx: AttackContext): Attack {
  const inner = ctx.valid("rows").bytes;
  const variants: (() => [string, Uint8Array, Attack["expect"]])[] = [
    () => ["two frames in one message", concatBytes([rawZstd(inner), rawZstd(inner)]), "bad-frame"],
    () => ["a skippable frame after the frame", concatBytes([rawZstd(inner), skippable(inner)]), "bad-frame"],
    // The gateway inflates once; what comes out is read as protobuf, and a zstd frame of raw blocks is
    // its payload behind a few bytes that parse as unknown fields: refused or read, never more.
    () => ["zstd inside zstd", rawZstd(ctx.compress ? ctx.compress(inner) : rawZstd(inner)), "any"],
    // Raw blocks need no dictionary, so a decoder may read them anyway.
    () => ["a dictionary the gateway does not have", withDictionary(int(r, 1, 255), inner), "any"],
    () => ["a reserved block type", reservedBlock(inner), "bad-frame"],
    () => ["an empty frame", rawZstd(new Uint8Array(0)), "bad-frame"],
    () => ["the magic number alone", Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd]), "bad-frame"],
    // Work, not size: a few bytes of sequences that each claim ~64 KiB (fzstd looped on them for seconds).
    () => {
      const n = int(r, 1000, MAX_SEQUENCES);
      return [`one block of ${n} sequences of 64 KiB matches`, sequenceBomb(n, int(r, 1, 255)), "bad-frame"];
    },
    // fzstd does not verify content checksums: a wrong one may pass, the bytes are read like any.
    () => ["a wrong content checksum", wrongChecksum(inner, int(r, 0, 2 ** 32 - 1)), "any"],
    // Declares fewer bytes than its blocks hold: the decoder may refuse, or stop at the declared size.
    () => ["declares less than it holds", declaredSize(int(r, 0, inner.length - 1), inner), "any"],
    // One 0x78 is field 15, varint: a few dozen bytes that inflate to up to a MiB of unknown fields.
    () => {
      const n = int(r, ctx.maxFrameBytes >> 2, ctx.maxFrameBytes);
      const b = pick(r, [0x78, 0x08, 0x0a, 0x12, 0x1a, 0x22]);
      return [`RLE soup: ${n} bytes of 0x${b.toString(16)}`, rleBomb(n, b), "refused"];
    },
  ];
  const [detail, data, expect] = pick(r, variants)();
  return { data, detail, expect };
}
