/**
 * The short strings of the internal formats (drone ids, link ids, traceparents) without a TextEncoder
 * or TextDecoder call per message: each call allocates a buffer or a view and a string, a large share of
 * the bytes allocated per report (scripts/profile/heap-profile.ts). ASCII is written and compared byte by
 * byte; anything else takes the encoder's path, so the bytes are always exactly UTF-8.
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Bytes of `s` in UTF-8 when it is all ASCII, else -1 (the caller encodes it with a TextEncoder). */
export function asciiLength(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return -1;
  return s.length;
}

/** Writes ASCII `s` (asciiLength(s) ≥ 0) at `o`. */
export function writeAscii(buf: Uint8Array, o: number, s: string): void {
  for (let i = 0; i < s.length; i++) buf[o + i] = s.charCodeAt(i);
}

/** UTF-8 bytes of `s` (the TextEncoder's, for a string that is not ASCII). */
export function utf8Bytes(s: string): Uint8Array {
  return encoder.encode(s);
}

/**
 * Interned ASCII strings by a hash of their bytes; bounded: cleared when full, so invented ids cannot grow
 * it. Sized for a busy region, where every point names a drone and a link: at 4,096 a region of 10,000
 * drones behind hubs (20,000 ids) cleared it every few hundred milliseconds and decoded most ids afresh
 * (scripts/bench/batch-intake.ts --drones 10000). 32,768 ids of ~20 characters are ~2 MB; only strings of
 * at most 255 bytes are kept, so never more than ~10 MB.
 */
const interned = new Map<number, string>();
const MAX_INTERNED = 32_768;
const MAX_INTERNED_BYTES = 255;

/**
 * The string of UTF-8 bytes [start, end) of `bytes`. The same ASCII bytes give the same string object
 * without decoding (checked byte by byte, so a hash collision only costs a decode).
 */
export function decodeShort(bytes: Uint8Array, start: number, end: number): string {
  // Longer than any id the formats carry (a client's frame is read before its ids are checked): not kept.
  if (end - start > MAX_INTERNED_BYTES) return decoder.decode(bytes.subarray(start, end));
  let h = 0x811c9dc5;
  let ascii = true;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c > 0x7f) ascii = false;
    h = Math.imul(h ^ c, 0x01000193);
  }
  if (!ascii) return decoder.decode(bytes.subarray(start, end));
  // Kept to 30 bits: a small integer to V8, where a full 32-bit key would be a heap number half the time.
  h = (h ^ (end - start)) & 0x3fffffff;
  const s = interned.get(h);
  if (s !== undefined && sameAscii(s, bytes, start, end)) return s;
  const d = decoder.decode(bytes.subarray(start, end));
  if (interned.size >= MAX_INTERNED) interned.clear();
  interned.set(h, d);
  return d;
}

function sameAscii(s: string, bytes: Uint8Array, start: number, end: number): boolean {
  if (s.length !== end - start) return false;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== bytes[start + i]) return false;
  return true;
}
