import { serializeConfig } from "miniflare";
import { describe, expect, it } from "vitest";
import { withV8Flags } from "../../scripts/lib/workerd-v8-flags.js";

/** Reads the root Config's v8Flags (pointer 2) and the segment sizes, straight from the wire format. */
function read(buf: Buffer): { flags: string[]; segments: number[]; seg0: number } {
  const n = buf.readUInt32LE(0) + 1;
  const segments = Array.from({ length: n }, (_, i) => buf.readUInt32LE(4 + 4 * i));
  const seg0 = 4 * (1 + n) + (n % 2 === 0 ? 4 : 0);
  const word = (w: number) => buf.readBigUInt64LE(seg0 + 8 * w);
  const offset = (p: bigint) => Number(BigInt.asIntN(30, (p >> 2n) & 0x3fff_ffffn));
  const root = word(0);
  const slot = 1 + offset(root) + Number((root >> 32n) & 0xffffn) + 2;
  const list = word(slot);
  if (list === 0n) return { flags: [], segments, seg0 };
  expect(list & 3n).toBe(1n);
  expect((list >> 32n) & 7n).toBe(6n);
  const at = slot + 1 + offset(list);
  const flags = Array.from({ length: Number(list >> 35n) }, (_, i) => {
    const t = word(at + i);
    expect((t >> 32n) & 7n).toBe(2n);
    const start = seg0 + 8 * (at + i + 1 + offset(t));
    const bytes = buf.subarray(start, start + Number(t >> 35n));
    expect(bytes.at(-1)).toBe(0);
    return bytes.subarray(0, -1).toString("utf8");
  });
  return { flags, segments, seg0 };
}

const config = (services: number) => ({
  services: Array.from({ length: services }, (_, i) => ({ name: `service-${i}-${"x".repeat(40)}`, external: { address: `127.0.0.1:${1000 + i}` } })),
  sockets: [{ name: "entry", address: "127.0.0.1:0", service: { name: "service-0" } }],
  structuredLogging: true,
});

describe("withV8Flags", () => {
  it("reads the flags as Miniflare's own encoder writes them (the reader below is right)", () => {
    expect(read(serializeConfig({ ...config(2), v8Flags: ["--max-heap-size=128", "--trace-gc"] })).flags).toEqual(["--max-heap-size=128", "--trace-gc"]);
  });

  it("adds the list to a config without one and leaves every other byte where it was", () => {
    const before = serializeConfig(config(3));
    const after = withV8Flags(before, ["--max-heap-size=128", "--trace-gc-verbose-long-flag"]);
    const b = read(before);
    const a = read(after);
    expect(b.flags).toEqual([]);
    expect(a.flags).toEqual(["--max-heap-size=128", "--trace-gc-verbose-long-flag"]);
    // Segment 0 grows by the list: 2 pointers + 3 + 4 words of text.
    expect(a.segments[0]).toBe(b.segments[0]! + 2 + 3 + 4);
    const rootSlot = (buf: Buffer, r: ReturnType<typeof read>) => {
      const root = buf.readBigUInt64LE(r.seg0);
      return r.seg0 + 8 * (1 + Number(BigInt.asIntN(30, (root >> 2n) & 0x3fff_ffffn)) + Number((root >> 32n) & 0xffffn) + 2);
    };
    const slot = rootSlot(before, b);
    expect(after.subarray(8, slot)).toEqual(before.subarray(8, slot));
    expect(after.subarray(slot + 8, b.seg0 + 8 * b.segments[0]!)).toEqual(before.subarray(slot + 8, b.seg0 + 8 * b.segments[0]!));
  });

  it("keeps later segments intact when the message has several", () => {
    // Miniflare's encoder grows one segment, but the format allows more: append a second by hand.
    const one = serializeConfig(config(3));
    const words = one.readUInt32LE(4);
    const header = Buffer.alloc(16);
    header.writeUInt32LE(1, 0);
    header.writeUInt32LE(words, 4);
    header.writeUInt32LE(2, 8);
    const tail = Buffer.from("0123456789abcdef");
    const before = Buffer.concat([header, one.subarray(8), tail]);
    const b = read(before);
    expect(b.segments).toEqual([words, 2]);
    const after = withV8Flags(before, ["--max-heap-size=128"]);
    const a = read(after);
    expect(a.flags).toEqual(["--max-heap-size=128"]);
    expect(a.segments).toEqual([words + 1 + 3, 2]);
    expect(after.subarray(-16)).toEqual(tail);
    expect(after.length).toBe(before.length + 8 * 4);
  });

  it("refuses a config that already has flags", () => {
    expect(() => withV8Flags(serializeConfig({ ...config(1), v8Flags: ["--trace-gc"] }), ["--max-heap-size=128"])).toThrow(/already set/);
  });
});
