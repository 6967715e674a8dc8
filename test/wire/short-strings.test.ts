import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { asciiLength, decodeShort, writeAscii } from "../../src/wire/short-strings.js";

const decoder = new TextDecoder();

describe("short strings", () => {
  it("asciiLength is the UTF-8 length of an ASCII string and -1 otherwise; writeAscii writes the UTF-8 bytes", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary-ascii" }), fc.string({ unit: "binary" })), (s) => {
        const utf8 = new TextEncoder().encode(s);
        const n = asciiLength(s);
        if (n < 0) return utf8.length !== s.length || [...s].some((c) => c.charCodeAt(0) > 0x7f);
        const buf = new Uint8Array(n + 2);
        writeAscii(buf, 1, s);
        return n === utf8.length && utf8.every((b, i) => buf[1 + i] === b);
      }),
    );
  });

  it("decodeShort is the TextDecoder's string, for bytes seen before or not, ASCII or not, valid UTF-8 or not", () => {
    const seen: Uint8Array[] = [];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), fc.nat(), (fresh, pick) => {
        seen.push(fresh);
        const bytes = seen[pick % seen.length]!;
        const framed = new Uint8Array(bytes.length + 3);
        framed.set(bytes, 2);
        return decodeShort(framed, 2, 2 + bytes.length) === decoder.decode(bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it("keeps answering correctly past its bound (it forgets, it never mixes up)", () => {
    const enc = new TextEncoder();
    for (let round = 0; round < 2; round++)
      for (let i = 0; i < 10_000; i++) {
        const s = `drone-${i}`;
        expect(decodeShort(enc.encode(s), 0, s.length)).toBe(s);
      }
  });

  it("holds a whole busy region's ids: 10,000 drones and their 10,000 links are decoded once, not again each pass", () => {
    const enc = new TextEncoder();
    const ids = Array.from({ length: 10_000 }, (_, i) => [`drone-${String(i).padStart(6, "0")}`, `s${i}.u33d.1`]).flat();
    const bytes = ids.map((s) => enc.encode(s));
    const decode = vi.spyOn(TextDecoder.prototype, "decode");
    try {
      const pass = () => {
        decode.mockClear();
        for (const [i, b] of bytes.entries()) expect(decodeShort(b, 0, b.length)).toBe(ids[i]);
        return decode.mock.calls.length;
      };
      // What other tests left may fill the table once; after that every id is there.
      pass();
      pass();
      expect(pass()).toBe(0);
    } finally {
      decode.mockRestore();
    }
  });

  it("does not keep a string longer than any id (a client's frame is read before its ids are checked)", () => {
    const long = "x".repeat(100_000);
    const b = new TextEncoder().encode(long);
    const decode = vi.spyOn(TextDecoder.prototype, "decode");
    try {
      for (let i = 0; i < 3; i++) expect(decodeShort(b, 0, b.length)).toBe(long);
      expect(decode).toHaveBeenCalledTimes(3);
    } finally {
      decode.mockRestore();
    }
  });
});
