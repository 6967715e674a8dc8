/**
 * A small protobuf writer for the frames the edge sends most: a region encodes an alert for every
 * start, escalation, refresh and clear, and protobuf-es's reflective `toBinary` made that the largest
 * cost of a busy region (scripts/profile). Writes fields the way `toBinary` does (field order, proto3
 * implicit presence left to the caller), into one reused scratch buffer; `finish()` copies out.
 */

const f32 = new Float32Array(1);
const f32Bytes = new Uint8Array(f32.buffer);
const utf8 = new TextEncoder();

export class ProtoWriter {
  private buf = new Uint8Array(256);
  private pos = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  reset(): this {
    this.pos = 0;
    return this;
  }

  /** The bytes written, copied into an array of their own. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /** The bytes written, as a view into the scratch buffer: valid until the next write. */
  view(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  tag(field: number, wireType: 0 | 1 | 2 | 5): this {
    return this.uint32((field << 3) | wireType);
  }

  /** A varint of a non-negative integer below 2^53. */
  uint64(v: number): this {
    this.room(10);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
    return this;
  }

  uint32(v: number): this {
    return this.uint64(v >>> 0);
  }

  sint32(v: number): this {
    return this.uint32(((v << 1) ^ (v >> 31)) >>> 0);
  }

  sfixed32(v: number): this {
    this.room(4);
    const b = this.buf;
    b[this.pos++] = v & 0xff;
    b[this.pos++] = (v >>> 8) & 0xff;
    b[this.pos++] = (v >>> 16) & 0xff;
    b[this.pos++] = (v >>> 24) & 0xff;
    return this;
  }

  float(v: number): this {
    this.room(4);
    f32[0] = v;
    this.buf.set(f32Bytes, this.pos);
    this.pos += 4;
    return this;
  }

  /** A length-delimited string (the tag first is the caller's). */
  string(s: string): this {
    let ascii = true;
    for (let i = 0; i < s.length; i++) {
      if (s.charCodeAt(i) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (!ascii) return this.bytes(utf8.encode(s));
    this.uint32(s.length);
    this.room(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i);
    return this;
  }

  /** Length-delimited bytes (a nested message's encoding, say). */
  bytes(b: Uint8Array): this {
    this.uint32(b.length);
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
}
