/**
 * zstd frames built by hand (RFC 8878 §3.1.1) from raw and RLE blocks only: valid frames any decoder
 * reads without an encoder at hand (workerd has no zstd encoder), and the bombs and lies the gateway
 * must refuse before it allocates: output past the frame limit from a few dozen bytes, a declared
 * size or window past it, two frames in one message, a dictionary it does not have.
 */

const MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
/** Largest block (RFC 8878 §3.1.1.2.3): 128 KiB. */
export const ZSTD_BLOCK_MAX = 128 * 1024;

const BlockType = { RAW: 0, RLE: 1, COMPRESSED: 2, RESERVED: 3 } as const;

function blockHeader(last: boolean, type: number, size: number): number[] {
  const v = (last ? 1 : 0) | (type << 1) | (size << 3);
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff];
}

function le(v: number, bytes: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes; i++) out.push(Math.floor(v / 2 ** (8 * i)) & 0xff);
  return out;
}

function concat(parts: readonly (ArrayLike<number> | Uint8Array)[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Raw blocks of `data`, the last one flagged (one empty block for empty data). */
function rawBlocks(data: Uint8Array): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let o = 0;
  do {
    const n = Math.min(ZSTD_BLOCK_MAX, data.length - o);
    parts.push(Uint8Array.from(blockHeader(o + n >= data.length, BlockType.RAW, n)), data.subarray(o, o + n));
    o += n;
  } while (o < data.length);
  return parts;
}

/** A valid single-segment frame holding `data` in raw blocks, its size declared in 4 bytes. */
export function rawZstd(data: Uint8Array): Uint8Array {
  return concat([MAGIC, [0xa0, ...le(data.length, 4)], ...rawBlocks(data)]);
}

/**
 * A frame of RLE blocks inflating to `total` bytes of `byte`, with no declared content size and a
 * 128 KiB window: ~4 bytes per 128 KiB of output, so only the streaming limit can stop it.
 */
export function rleBomb(total: number, byte = 0): Uint8Array {
  const parts: number[][] = [[...MAGIC, 0x00, 7 << 3]];
  for (let o = 0; o < total; o += ZSTD_BLOCK_MAX) {
    const n = Math.min(ZSTD_BLOCK_MAX, total - o);
    parts.push([...blockHeader(o + n >= total, BlockType.RLE, n), byte]);
  }
  return concat(parts);
}

/** A single-segment frame declaring `declared` bytes (8-byte field) whatever its blocks hold. */
export function declaredSize(declared: number, data: Uint8Array): Uint8Array {
  return concat([MAGIC, [0xe0, ...le(declared, 8)], ...rawBlocks(data)]);
}

/** A multi-segment frame whose window is 2^(10 + exponent) bytes (exponent ≤ 31), holding `data`. */
export function windowed(exponent: number, data: Uint8Array): Uint8Array {
  return concat([MAGIC, [0x00, exponent << 3], ...rawBlocks(data)]);
}

/** A frame that names dictionary `id` (1-byte field) before its blocks. */
export function withDictionary(id: number, data: Uint8Array): Uint8Array {
  return concat([MAGIC, [0x21, id & 0xff, data.length & 0xff], ...rawBlocks(data.subarray(0, 255))]);
}

/** A frame whose one block has the reserved type 3. */
export function reservedBlock(data: Uint8Array): Uint8Array {
  return concat([MAGIC, [0x20, data.length & 0xff], blockHeader(true, BlockType.RESERVED, data.length & 0xff), data.subarray(0, 255)]);
}

/** A frame with a content checksum flagged but filled with `bytes` (4 of them), not the real one. */
export function wrongChecksum(data: Uint8Array, bytes: number): Uint8Array {
  return concat([MAGIC, [0xa4, ...le(data.length, 4)], ...rawBlocks(data), le(bytes >>> 0, 4)]);
}

/** Most sequences one block can declare (RFC 8878 §3.1.1.3.2.1: 0x7F00 + 0xFFFF). */
export const MAX_SEQUENCES = 0x7f00 + 0xffff;

/**
 * A single-segment frame declaring `declared` bytes, of one compressed block with no literals and
 * `sequences` sequences whose codes are all RLE: literal length 0, offset code 1, match length code 52
 * (65,539 bytes or more each). Its bitstream is one byte: a decoder that does not bound what
 * sequences write copies ~64 KiB per sequence past its buffer, writing nothing, for seconds.
 */
export function sequenceBomb(sequences: number, declared = 100): Uint8Array {
  const n = Math.min(sequences, MAX_SEQUENCES);
  const count = n < 128 ? [n] : n < 0x7f00 ? [128 + (n >> 8), n & 0xff] : [255, (n - 0x7f00) & 0xff, (n - 0x7f00) >> 8];
  // Literals: raw, size 0. Sequences: count, modes (RLE for all three), the three codes, the bitstream.
  const block = [0x00, ...count, 0x54, 0x00, 0x01, 52, 0x80];
  return concat([MAGIC, [0x20, declared & 0xff], blockHeader(true, BlockType.COMPRESSED, block.length), block]);
}

/** A skippable frame (RFC 8878 §3.1.2): magic 0x184D2A5?, a size, bytes a decoder must ignore. */
export function skippable(data: Uint8Array): Uint8Array {
  return concat([[0x50, 0x2a, 0x4d, 0x18], le(data.length, 4), data]);
}

export { concat as concatBytes };
