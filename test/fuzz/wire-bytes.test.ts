import { fromBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { lenField, packedField, repeatTo, tag, varint, varintField, zigzag } from "../../src/fuzz/wire-bytes.js";
import { ClientFrameSchema } from "../../src/gen/airspace/v1/airspace_pb.js";

describe("hand-written protobuf bytes", () => {
  it("writes varints, padded ones and the 64-bit extremes", () => {
    expect(varint(0)).toEqual([0]);
    expect(varint(300)).toEqual([0xac, 0x02]);
    expect(varint(1, 3)).toEqual([0x81, 0x80, 0x00]);
    expect(varint(2n ** 64n - 1n)).toEqual([...new Array(9).fill(0xff), 0x01]);
    expect(varint(-1n)).toEqual(varint(2n ** 64n - 1n));
    expect([zigzag(0), zigzag(-1), zigzag(1), zigzag(-(2n ** 63n))]).toEqual([0n, 1n, 2n, 2n ** 64n - 1n]);
  });

  it("writes fields protobuf-es reads back", () => {
    const bytes = Uint8Array.from(lenField(3, [...varintField(1, 7), ...packedField(5, [zigzag(-3), zigzag(4)])]));
    const f = fromBinary(ClientFrameSchema, bytes);
    expect(f.kind.case === "columns" && [f.kind.value.baseTimeMs, f.kind.value.latE7]).toEqual([7n, [-3, 4]]);
    expect(tag(2, 0)).toEqual([0x10]);
  });

  it("repeats a pattern to a length, whole repetitions only, then a tail", () => {
    expect(Array.from(repeatTo([1, 2, 3], 10, [9]))).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3, 9]);
    const big = repeatTo([0x12, 0x00], 1 << 20);
    expect(big.length).toBe(1 << 20);
    expect(big.every((b, i) => b === (i % 2 === 0 ? 0x12 : 0))).toBe(true);
  });
});
