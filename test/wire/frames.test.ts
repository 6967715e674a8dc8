import { create, toBinary } from "@bufbuild/protobuf";
import { beforeAll, describe, expect, it } from "vitest";
import { loadZstdEncoder, type ZstdEncoder } from "../../src/client/zstd.js";
import { ClientFrameSchema, ErrorCode } from "../../src/gen/airspace/v1/airspace_pb.js";
import { MAX_SEQUENCES, sequenceBomb } from "../../src/fuzz/zstd-frames.js";
import { boundedZstd, decodeClientFrame, isZstd, zstdDeclaredSize, zstdFrameEnd } from "../../src/wire/frames.js";

const MIB = 1 << 20;
const MAX_POINTS = 4096;
const MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

let zstd: ZstdEncoder;
const zstdAt: Record<number, ZstdEncoder> = {};
beforeAll(async () => {
  zstd = await loadZstdEncoder();
  for (const level of [1, 3, 9, 19]) zstdAt[level] = await loadZstdEncoder(level);
});

function telemetryFrame(n = 3): Uint8Array {
  return toBinary(
    ClientFrameSchema,
    create(ClientFrameSchema, {
      kind: {
        case: "telemetry",
        value: {
          baseTimeMs: 1_767_000_000_000n,
          points: Array.from({ length: n }, (_, i) => ({
            droneId: `d${i}`,
            tOffsetMs: i * 100,
            latE7: 473977419 + i,
            lonE7: 85455939 - i,
            altMm: 120_500,
            vnCms: 1234,
            veCms: -321,
            vdCms: -50,
            batteryPct: 87,
            seq: 1000 + i,
          })),
        },
      },
    }),
  );
}

function pingFrame(nonce: bigint): Uint8Array {
  return toBinary(ClientFrameSchema, create(ClientFrameSchema, { kind: { case: "ping", value: { nonce } } }));
}

/** A zstd block header (RFC 8878 §3.1.1.2): 3 bytes LE of last | type << 1 | size << 3. */
function blockHeader(last: boolean, type: 0 | 1 | 2, size: number): number[] {
  const v = (last ? 1 : 0) | (type << 1) | (size << 3);
  return [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff];
}

/** A frame of raw blocks with no content size and the given window descriptor byte. */
function rawFrameNoFcs(windowDescriptor: number, payload: Uint8Array): Uint8Array {
  return Uint8Array.from([...MAGIC, 0x00, windowDescriptor, ...blockHeader(true, 0, payload.length), ...payload]);
}

/** A single-segment frame with a 1-byte content size (payload < 256 bytes) in one raw block. */
function rawFrameSingleSegment(payload: Uint8Array): Uint8Array {
  return Uint8Array.from([...MAGIC, 0x20, payload.length, ...blockHeader(true, 0, payload.length), ...payload]);
}

function expectTooLarge(r: ReturnType<typeof decodeClientFrame>): void {
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.code).toBe(ErrorCode.FRAME_TOO_LARGE);
  expect(r.close).toBe(1009);
}

function expectBadFrame(r: ReturnType<typeof decodeClientFrame>): void {
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.code).toBe(ErrorCode.BAD_FRAME);
  expect(r.close).toBeUndefined();
}

describe("decodeClientFrame: plain protobuf", () => {
  it("decodes a telemetry frame with every field", () => {
    const bytes = telemetryFrame(3);
    const r = decodeClientFrame(bytes, MIB, MAX_POINTS);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.compressed).toBe(false);
    expect(r.decodedBytes).toBe(bytes.length);
    expect(r.frame.kind.case).toBe("telemetry");
    if (r.frame.kind.case !== "telemetry") return;
    const t = r.frame.kind.value;
    expect(t.baseTimeMs).toBe(1_767_000_000_000n);
    expect(t.points).toHaveLength(3);
    const p = t.points[2]!;
    expect(p.droneId).toBe("d2");
    expect(p.tOffsetMs).toBe(200);
    expect(p.latE7).toBe(473977421);
    expect(p.lonE7).toBe(85455937);
    expect(p.altMm).toBe(120_500);
    expect([p.vnCms, p.veCms, p.vdCms]).toEqual([1234, -321, -50]);
    expect(p.batteryPct).toBe(87);
    expect(p.seq).toBe(1002);
  });

  it("decodes a ping frame", () => {
    const r = decodeClientFrame(pingFrame(123456789012345n), MIB, MAX_POINTS);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.compressed).toBe(false);
    expect(r.frame.kind.case).toBe("ping");
    if (r.frame.kind.case !== "ping") return;
    expect(r.frame.kind.value.nonce).toBe(123456789012345n);
  });

  it("skips unknown fields, at the top and inside the ping, without keeping them (issue 11: padding cost 77 MiB)", () => {
    const ping = pingFrame(7n);
    // ClientFrame field 31 (unknown) of 300 bytes, and the ping message with its own unknown field 9.
    const inner = Uint8Array.from([...ping.subarray(2), 0x4a, 0x03, 1, 2, 3]);
    const padded = Uint8Array.from([0x12, inner.length, ...inner, 0xfa, 0x01, 0xac, 0x02, ...new Uint8Array(300)]);
    const r = decodeClientFrame(padded, MIB, MAX_POINTS);
    expect(r.ok).toBe(true);
    if (!r.ok || r.frame.kind.case !== "ping") throw new Error("not a ping");
    expect(r.frame.kind.value.nonce).toBe(7n);
    expect(r.frame.$unknown).toBeUndefined();
    expect(r.frame.kind.value.$unknown).toBeUndefined();
  });

  it("rejects garbage bytes with BAD_FRAME and does not throw", () => {
    const garbage = [
      Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), // unterminated varint
      Uint8Array.from([0x0a, 0x10, 0x01]), // telemetry of 16 bytes, only 1 present
      Uint8Array.from([0x07]), // wire type 7 does not exist
      new TextEncoder().encode('{"telemetry":[]}'),
    ];
    for (const g of garbage) expectBadFrame(decodeClientFrame(g, MIB, MAX_POINTS));
  });

  it("rejects an empty frame (no oneof set) with BAD_FRAME", () => {
    expectBadFrame(decodeClientFrame(new Uint8Array(0), MIB, MAX_POINTS));
    expectBadFrame(decodeClientFrame(toBinary(ClientFrameSchema, create(ClientFrameSchema)), MIB, MAX_POINTS));
  });

  it("rejects a frame over maxBytes with FRAME_TOO_LARGE and close 1009, and accepts one at the limit", () => {
    const bytes = telemetryFrame(10);
    expectTooLarge(decodeClientFrame(bytes, bytes.length - 1, MAX_POINTS));
    expect(decodeClientFrame(bytes, bytes.length, MAX_POINTS).ok).toBe(true);
  });
});

describe("decodeClientFrame: zstd", () => {
  it("decodes a frame compressed by the client's encoder", () => {
    const plain = telemetryFrame(50);
    const packed = zstd(plain);
    expect(isZstd(packed)).toBe(true);
    expect(packed.length).toBeLessThan(plain.length);
    const r = decodeClientFrame(packed, MIB, MAX_POINTS);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.compressed).toBe(true);
    expect(r.decodedBytes).toBe(plain.length);
    expect(toBinary(ClientFrameSchema, r.frame)).toEqual(plain);
  });

  it("decodes a compressed ping", () => {
    const r = decodeClientFrame(zstd(pingFrame(7n)), MIB, MAX_POINTS);
    expect(r.ok && r.compressed && r.frame.kind.case === "ping" && r.frame.kind.value.nonce).toBe(7n);
  });

  it("rejects a frame whose decompressed size exceeds maxBytes even though the compressed one fits", () => {
    const plain = telemetryFrame(50);
    const packed = zstd(plain);
    expectTooLarge(decodeClientFrame(packed, plain.length - 1, MAX_POINTS));
    expect(decodeClientFrame(packed, plain.length, MAX_POINTS).ok).toBe(true);
  });

  it("rejects a frame whose declared content size exceeds the limit without decompressing it", () => {
    // Declares 2 MiB (4-byte FCS) but carries no block at all: only the header can have said no.
    const fcs = 2 * MIB;
    const bytes = Uint8Array.from([...MAGIC, 0xa0, fcs & 0xff, (fcs >> 8) & 0xff, (fcs >> 16) & 0xff, fcs >>> 24]);
    expect(zstdDeclaredSize(bytes)).toEqual({ contentSize: fcs, windowSize: fcs });
    const r = decodeClientFrame(bytes, MIB, MAX_POINTS);
    expectTooLarge(r);
    expect(!r.ok && r.message).toMatch(/declares/);
  });

  it("rejects a zstd bomb of 2 MiB of zeros in a protobuf bytes field (encoder declares the size) with 1009", () => {
    // ClientFrame { telemetry (1) { points (2) { drone_id (1): 2 MiB of NUL } } }: valid protobuf.
    const id = new Uint8Array(2 * MIB);
    const point = [0x0a, ...varint(id.length)];
    const pointLen = point.length + id.length;
    const telemetry = [0x12, ...varint(pointLen)];
    const telemetryLen = telemetry.length + pointLen;
    const head = Uint8Array.from([0x0a, ...varint(telemetryLen), ...telemetry, ...point]);
    const plain = new Uint8Array(head.length + id.length);
    plain.set(head);
    const packed = zstd(plain);
    expect(packed.length).toBeLessThan(1024);
    expectTooLarge(decodeClientFrame(packed, MIB, MAX_POINTS));
  });

  it("rejects raw zeros declared by the encoder the same way", () => {
    const packed = zstd(new Uint8Array(2 * MIB));
    expectTooLarge(decodeClientFrame(packed, MIB, MAX_POINTS));
  });

  it("stops a bomb with no declared content size while streaming, at maxBytes", () => {
    // Window 128 KiB (under the limit, so the header passes), 17 RLE blocks of 128 KiB = 2.125 MiB.
    const block = 128 * 1024;
    const bytes: number[] = [...MAGIC, 0x00, 7 << 3];
    for (let i = 0; i < 17; i++) bytes.push(...blockHeader(i === 16, 1, block), 0);
    const frame = Uint8Array.from(bytes);
    expect(frame.length).toBeLessThan(100);
    expect(zstdDeclaredSize(frame)).toEqual({ contentSize: null, windowSize: block });
    const z = boundedZstd(frame, MIB);
    expect(z).toMatchObject({ ok: false, tooLarge: true });
    expectTooLarge(decodeClientFrame(frame, MIB, MAX_POINTS));
    // The same construction under the limit decodes fully (so the rejection above is the limit's doing).
    const small = boundedZstd(frame, 3 * MIB);
    expect(small.ok && small.data.length).toBe(17 * block);
  });

  it("rejects a frame with no content size whose window exceeds the limit", () => {
    // Window descriptor exponent 11 → 2 MiB window.
    const frame = rawFrameNoFcs(11 << 3, pingFrame(1n));
    expect(zstdDeclaredSize(frame)).toEqual({ contentSize: null, windowSize: 2 * MIB });
    expectTooLarge(decodeClientFrame(frame, MIB, MAX_POINTS));
    expect(decodeClientFrame(frame, 2 * MIB, MAX_POINTS).ok).toBe(true);
  });

  it("rejects a small declared content size paired with a window far over the limit (window is allocated up front)", () => {
    // Not single-segment, window 64 MiB (exponent 16), 4-byte FCS declaring the few bytes of content.
    // fzstd allocates a window-sized buffer for a non-single-segment frame whatever the content size says,
    // so the window must be bounded too, not only when the content size is absent.
    const payload = pingFrame(1n);
    const frame = Uint8Array.from([...MAGIC, 0x80, 16 << 3, payload.length, 0, 0, 0, ...blockHeader(true, 0, payload.length), ...payload]);
    expect(zstdDeclaredSize(frame)).toEqual({ contentSize: payload.length, windowSize: 64 * MIB });
    expectTooLarge(decodeClientFrame(frame, MIB, MAX_POINTS));
  });

  it("does not decode a second concatenated zstd frame whose header was never checked", () => {
    // First frame: a valid ping, single segment. Second frame: an empty raw block under a 64 MiB window.
    // Only the first header is checked, yet fzstd would allocate the second frame's window.
    const first = rawFrameSingleSegment(pingFrame(1n));
    const second = rawFrameNoFcs(16 << 3, new Uint8Array(0));
    const both = new Uint8Array(first.length + second.length);
    both.set(first);
    both.set(second, first.length);
    expect(decodeClientFrame(first, MIB, MAX_POINTS).ok).toBe(true);
    expect(decodeClientFrame(both, MIB, MAX_POINTS).ok).toBe(false);
  });

  it("rejects a truncated compressed frame with BAD_FRAME at every prefix length", () => {
    const packed = zstd(telemetryFrame(20));
    for (let n = 0; n < packed.length; n++) {
      const r = decodeClientFrame(packed.subarray(0, n), MIB, MAX_POINTS);
      expect(r.ok, `prefix of ${n} bytes`).toBe(false);
      if (!r.ok) expect(r.code, `prefix of ${n} bytes`).toBe(ErrorCode.BAD_FRAME);
    }
  });

  it("rejects zstd data that is not a valid frame (reserved bit, bad block type) with BAD_FRAME", () => {
    const payload = pingFrame(1n);
    const reserved = rawFrameSingleSegment(payload);
    reserved[4] = reserved[4]! | 0x08;
    expectBadFrame(decodeClientFrame(reserved, MIB, MAX_POINTS));
    const badBlock = rawFrameSingleSegment(payload);
    const h = blockHeader(true, 3 as 0, payload.length); // block type 3 is reserved
    badBlock.set(h, 6);
    expectBadFrame(decodeClientFrame(badBlock, MIB, MAX_POINTS));
  });

  it("rejects a valid zstd frame whose content is not a ClientFrame with BAD_FRAME", () => {
    expectBadFrame(decodeClientFrame(zstd(Uint8Array.from([0xff, 0xff, 0xff])), MIB, MAX_POINTS));
    expectBadFrame(decodeClientFrame(zstd(new Uint8Array(0)), MIB, MAX_POINTS));
  });
});

describe("zstdDeclaredSize", () => {
  it("reads a single-segment header with a 1-byte content size", () => {
    expect(zstdDeclaredSize(Uint8Array.from([...MAGIC, 0x20, 200]))).toEqual({ contentSize: 200, windowSize: 200 });
  });

  it("adds 256 to a 2-byte content size", () => {
    // FCS flag 1, single segment: 0x0102 + 256 = 514.
    expect(zstdDeclaredSize(Uint8Array.from([...MAGIC, 0x60, 0x02, 0x01]))).toEqual({ contentSize: 514, windowSize: 514 });
    expect(zstdDeclaredSize(Uint8Array.from([...MAGIC, 0x60, 0xff, 0xff]))).toEqual({ contentSize: 65535 + 256, windowSize: 65535 + 256 });
  });

  it("reads 4- and 8-byte content sizes", () => {
    expect(zstdDeclaredSize(Uint8Array.from([...MAGIC, 0xa0, 0x78, 0x56, 0x34, 0x12]))?.contentSize).toBe(0x12345678);
    expect(zstdDeclaredSize(Uint8Array.from([...MAGIC, 0xe0, 1, 0, 0, 0, 1, 0, 0, 0]))?.contentSize).toBe(2 ** 32 + 1);
  });

  it("reads the window descriptor (exponent and mantissa) when not single-segment", () => {
    // Exponent 0, mantissa 0: 1 KiB.
    expect(zstdDeclaredSize(Uint8Array.from([...MAGIC, 0x00, 0x00]))).toEqual({ contentSize: null, windowSize: 1024 });
    // Exponent 10 (2^20), mantissa 3: 1 MiB + 3/8 MiB.
    expect(zstdDeclaredSize(Uint8Array.from([...MAGIC, 0x00, (10 << 3) | 3]))).toEqual({ contentSize: null, windowSize: MIB + (3 * MIB) / 8 });
    // Window descriptor then a 2-byte FCS: both are read.
    expect(zstdDeclaredSize(Uint8Array.from([...MAGIC, 0x40, 7 << 3, 0x00, 0x00]))).toEqual({ contentSize: 256, windowSize: 128 * 1024 });
  });

  it("skips the dictionary id before the content size", () => {
    // Single segment, 1-byte dictionary id (flag 1), 1-byte FCS after it.
    expect(zstdDeclaredSize(Uint8Array.from([...MAGIC, 0x21, 0x99, 42]))?.contentSize).toBe(42);
    // 4-byte dictionary id (flag 3), 2-byte FCS.
    expect(zstdDeclaredSize(Uint8Array.from([...MAGIC, 0x63, 9, 9, 9, 9, 0x10, 0x00]))?.contentSize).toBe(0x10 + 256);
  });

  it("returns null for a header too short to hold its fields", () => {
    expect(zstdDeclaredSize(Uint8Array.from([...MAGIC, 0x20]))).toBeNull();
    expect(zstdDeclaredSize(Uint8Array.from([...MAGIC, 0xa0, 1, 2, 3]))).toBeNull();
    expect(zstdDeclaredSize(Uint8Array.from([...MAGIC, 0x63, 9, 9, 9, 9, 0x10]))).toBeNull();
  });

  it("agrees with the header the client's encoder writes", () => {
    const plain = telemetryFrame(30);
    expect(zstdDeclaredSize(zstd(plain))?.contentSize).toBe(plain.length);
  });
});

describe("zstdFrameEnd", () => {
  it("walks raw, RLE and compressed block headers to the end of the frame", () => {
    // Header of 6 bytes (magic, FHD 0x00, window descriptor), then: raw block of 5, RLE block of 1000 (1 byte stored),
    // last "compressed" block of 2 bytes (its content is not looked at).
    const frame = Uint8Array.from([
      ...MAGIC,
      0x00,
      0x00,
      ...blockHeader(false, 0, 5),
      1,
      2,
      3,
      4,
      5,
      ...blockHeader(false, 1, 1000),
      7,
      ...blockHeader(true, 2, 2),
      0,
      0,
    ]);
    expect(zstdFrameEnd(frame, 6, false)).toBe(frame.length);
    expect(zstdFrameEnd(Uint8Array.from([...frame, 9, 9]), 6, false)).toBe(frame.length);
  });

  it("counts a trailing 4-byte checksum", () => {
    const frame = Uint8Array.from([...MAGIC, 0x00, 0x00, ...blockHeader(true, 0, 2), 1, 2, 0xaa, 0xbb, 0xcc, 0xdd]);
    expect(zstdFrameEnd(frame, 6, true)).toBe(frame.length);
    expect(zstdFrameEnd(frame.subarray(0, frame.length - 1), 6, true)).toBe(-1);
  });

  it("returns -1 when a block header or block runs past the data", () => {
    const frame = Uint8Array.from([...MAGIC, 0x00, 0x00, ...blockHeader(true, 0, 4), 1, 2, 3, 4]);
    for (let n = 6; n < frame.length; n++) expect(zstdFrameEnd(frame.subarray(0, n), 6, false), `prefix of ${n}`).toBe(-1);
    // A non-last block with nothing after it.
    expect(zstdFrameEnd(Uint8Array.from([...MAGIC, 0x00, 0x00, ...blockHeader(false, 0, 1), 1]), 6, false)).toBe(-1);
  });

  it("makes decodeClientFrame reject trailing bytes after the frame with BAD_FRAME", () => {
    const packed = zstd(pingFrame(5n));
    expect(decodeClientFrame(packed, MIB, MAX_POINTS).ok).toBe(true);
    expectBadFrame(decodeClientFrame(Uint8Array.from([...packed, 0]), MIB, MAX_POINTS));
  });
});

describe("isZstd", () => {
  it("recognises the magic number only", () => {
    expect(isZstd(Uint8Array.from(MAGIC))).toBe(true);
    expect(isZstd(Uint8Array.from(MAGIC.slice(0, 3)))).toBe(false);
    expect(isZstd(Uint8Array.from([0x28, 0xb5, 0x2f, 0xfe]))).toBe(false);
  });
});

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

// Regression (issue 12, found by npm run fuzz): fzstd ran a block's sequences without bounding what
// they write, so 17 bytes declaring thousands of ~64 KiB matches took seconds of CPU (3.7 s for 10,000
// sequences, 265 s for the 98,047 one block may declare). The vendored copy (src/wire/vendor) refuses a
// sequence that would write past the block's buffer.
describe("decodeClientFrame: a zstd block whose sequences claim more than the block holds", () => {
  it.each([10_000, MAX_SEQUENCES])("refuses %i sequences of 64 KiB matches as invalid zstd data", (n) => {
    const bomb = sequenceBomb(n);
    expect(bomb.length).toBeLessThan(20);
    expect(decodeClientFrame(bomb, MIB, MAX_POINTS)).toEqual({ ok: false, code: ErrorCode.BAD_FRAME, message: "invalid zstd data: invalid zstd data" });
  });

  it("still reads every frame the encoder writes, at every level", () => {
    const plain = telemetryFrame(300);
    for (const level of [1, 3, 9, 19]) {
      const packed = zstdAt[level]!(plain);
      const r = decodeClientFrame(packed, MIB, MAX_POINTS);
      expect(r.ok && r.frame.kind.case === "telemetry" && r.frame.kind.value.points.length).toBe(300);
    }
  });
});
