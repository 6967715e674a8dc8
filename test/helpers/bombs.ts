/**
 * The decompression bombs of issue 11, built by hand (a raw block, then RLE blocks of zeros: RFC 8878
 * §3.1.1.2), so Node and workerd tests alike can send a ~40-byte frame that inflates to ~1 MiB.
 */
const MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
const MAX_BLOCK = 128 * 1024;

function blockHeader(last: boolean, type: 0 | 1, size: number): number[] {
  const v = (last ? 1 : 0) | (type << 1) | (size << 3);
  return [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff];
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** A single-segment zstd frame: `prefix` as a raw block, then `zeros` zero bytes as RLE blocks. */
export function zstdWithZeros(prefix: readonly number[], zeros: number): Uint8Array {
  const size = prefix.length + zeros;
  const out = [...MAGIC, 0x80 | 0x20, size & 0xff, (size >> 8) & 0xff, (size >> 16) & 0xff, (size >>> 24) & 0xff];
  out.push(...blockHeader(zeros === 0, 0, prefix.length), ...prefix);
  for (let left = zeros; left > 0; ) {
    const n = Math.min(left, MAX_BLOCK);
    left -= n;
    out.push(...blockHeader(left === 0, 1, n), 0);
  }
  return Uint8Array.from(out);
}

/** A ping padded with an unknown field of `padding` zero bytes (issue 11: it used to get a pong, at 77 MiB). */
export function paddedPingBomb(padding = 1024 * 1024 - 32): Uint8Array {
  const ping = [0x12, 0x02, 0x08, 0x07]; // ClientFrame.ping { nonce: 7 }
  const unknown = [0xfa, 0x01, ...varint(padding)]; // field 31, length-delimited: not in the schema
  return zstdWithZeros([...ping, ...unknown], padding);
}

/** TelemetryColumns whose drone_index column declares `points` entries (packed zeros): ~1 M points from ~40 bytes. */
export function columnsBomb(points = 1024 * 1024 - 32): Uint8Array {
  const column = [0x1a, ...varint(points)]; // drone_index (field 3), packed
  return zstdWithZeros([0x1a, ...varint(column.length + points), ...column], points);
}

/** A 5-byte TelemetryStream frame declaring `points` all-zero points. */
export function streamCountFrame(points = 4096): Uint8Array {
  const body = [0x20, ...varint(points)]; // TelemetryStream.points (field 4)
  return Uint8Array.from([0x22, body.length, ...body]);
}
