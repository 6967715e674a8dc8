import { decompress } from "fzstd";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/gen/airspace/v1/airspace_pb.js";
import { ZSTD_BLOCK_MAX, declaredSize, rawZstd, rleBomb, skippable, windowed, withDictionary, wrongChecksum } from "../../src/fuzz/zstd-frames.js";
import { boundedZstd, decodeClientFrame, zstdDeclaredSize } from "../../src/wire/frames.js";

const MIB = 1 << 20;
const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0xff);

describe("hand-built zstd frames", () => {
  it("raw blocks hold any payload exactly, across block boundaries and empty", () => {
    for (const n of [0, 1, 200, ZSTD_BLOCK_MAX, ZSTD_BLOCK_MAX + 1, 3 * ZSTD_BLOCK_MAX - 5]) {
      const data = bytes(n);
      expect(decompress(rawZstd(data))).toEqual(data);
      expect(zstdDeclaredSize(rawZstd(data))).toEqual({ contentSize: n, windowSize: n });
    }
  });

  it("an RLE bomb is a few bytes per 128 KiB and inflates to exactly its size", () => {
    const bomb = rleBomb(MIB + 1, 0x78);
    expect(bomb.length).toBeLessThan(50);
    const small = boundedZstd(rleBomb(300_000, 0x78), MIB);
    expect(small.ok && small.data.length).toBe(300_000);
    expect(small.ok && small.data.every((b) => b === 0x78)).toBe(true);
    expect(zstdDeclaredSize(bomb)).toEqual({ contentSize: null, windowSize: ZSTD_BLOCK_MAX });
    expect(decodeClientFrame(bomb, MIB, 4096)).toMatchObject({ ok: false, code: ErrorCode.FRAME_TOO_LARGE });
  });

  it("declares sizes and windows as asked", () => {
    expect(zstdDeclaredSize(declaredSize(2 ** 40, bytes(10)))?.contentSize).toBe(2 ** 40);
    expect(zstdDeclaredSize(windowed(21, bytes(10)))?.windowSize).toBe(2 ** 31);
    expect(decompress(windowed(7, bytes(100)))).toEqual(bytes(100));
  });

  it("builds the frames a gateway may or may not read: a skippable frame, a dictionary id, a wrong checksum", () => {
    expect(skippable(bytes(3))).toEqual(Uint8Array.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 0, 7, 14]));
    expect(withDictionary(9, bytes(4)).subarray(4, 7)).toEqual(Uint8Array.from([0x21, 9, 4]));
    const c = wrongChecksum(bytes(20), 0xdeadbeef);
    expect(c[4]! & 0x04).toBe(0x04);
    expect(Array.from(c.subarray(-4))).toEqual([0xef, 0xbe, 0xad, 0xde]);
  });
});
