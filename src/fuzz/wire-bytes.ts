/**
 * Protobuf wire bytes written by hand (protobuf.dev/programming-guides/encoding), for frames no
 * encoder would produce: wrong wire types, over-long varints, lengths past the end, field soups.
 */

export const WireType = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 } as const;

/** A varint of `v` (0 ≤ v < 2^64), optionally padded with redundant continuation bytes to `minBytes`. */
export function varint(v: bigint | number, minBytes = 1): number[] {
  let x = BigInt(v);
  if (x < 0n) x = BigInt.asUintN(64, x);
  const out: number[] = [];
  do {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  } while (x > 0n || out.length < minBytes);
  out[out.length - 1]! &= 0x7f;
  return out;
}

export function tag(field: number, wireType: number): number[] {
  return varint((BigInt(field) << 3n) | BigInt(wireType));
}

/** A length-delimited field: tag, length, body. */
export function lenField(field: number, body: ArrayLike<number>): number[] {
  return [...tag(field, WireType.LEN), ...varint(body.length), ...Array.from(body)];
}

export function varintField(field: number, v: bigint | number): number[] {
  return [...tag(field, WireType.VARINT), ...varint(v)];
}

/** A packed repeated sint32/uint32 field of the raw varints `vs`. */
export function packedField(field: number, vs: readonly (bigint | number)[]): number[] {
  return lenField(
    field,
    vs.flatMap((v) => varint(v)),
  );
}

/** ZigZag (sint32/sint64) of `v`. */
export function zigzag(v: bigint | number): bigint {
  const x = BigInt(v);
  return x >= 0n ? x << 1n : (-x << 1n) - 1n;
}

/** `pattern` repeated to fill `total` bytes (whole repetitions only), then `tail`. */
export function repeatTo(pattern: readonly number[], total: number, tail: readonly number[] = []): Uint8Array {
  const n = Math.floor(total / pattern.length) * pattern.length;
  const out = new Uint8Array(n + tail.length);
  if (n > 0) out.set(pattern);
  // Doubling copies: a MiB in 20 calls instead of half a million.
  for (let filled = Math.min(n, pattern.length); filled < n; filled *= 2) out.copyWithin(filled, 0, Math.min(filled, n - filled));
  out.set(tail, n);
  return out;
}

/** A length-delimited field around a large body, without going through number[]. */
export function lenFieldBytes(field: number, body: Uint8Array): Uint8Array {
  const head = [...tag(field, WireType.LEN), ...varint(body.length)];
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}
