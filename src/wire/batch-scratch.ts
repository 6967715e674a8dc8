/**
 * The batch encoder's reused buffer (batch-codec.ts): batches are written here and copied out once,
 * into a new array or straight into a link's resend buffer (no DataView or array per batch). It grows to
 * the largest batch seen, which the batch size cap bounds.
 */
let scratch: Uint8Array<ArrayBuffer> = new Uint8Array(4096);
let scratchView = new DataView(scratch.buffer);

/** A view of the buffer, at least `size` bytes long (a larger buffer when it was not). */
export function scratchFor(size: number): DataView {
  if (size > scratch.length) {
    scratch = new Uint8Array(Math.max(size, 2 * scratch.length));
    scratchView = new DataView(scratch.buffer);
  }
  return scratchView;
}

/** The buffer: the last batch encoded is its first bytes, until the next encode. */
export function encodedScratch(): Uint8Array<ArrayBuffer> {
  return scratch;
}
