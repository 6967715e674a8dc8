import { fromBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { ClientFrameSchema } from "../../src/gen/airspace/v1/airspace_pb.js";
import { KIND_NAMES, KINDS, type LaneView, hostileCase } from "../../src/fuzz/hostile-cases.js";
import { StreamEncoder } from "../../src/wire/telemetry-stream.js";

const NOW = 1_795_000_000_000;
function lane(role: "drone" | "relay"): LaneView {
  const table = role === "relay" ? 4000 : 1;
  return {
    role,
    sub: `${role}-1`,
    relayDrones: role === "relay" ? ["r-a", "r-b", "r-c"] : [],
    streamTable: table,
    maxPoints: 4096,
    stream: new StreamEncoder(table),
    streamInSync: true,
    center: { lat: 45.76, lon: 4.84 },
  };
}
const ctx = (role: "drone" | "relay") => ({ nowMs: NOW, lane: lane(role), maxFrameBytes: 1 << 20, maxPointsPerFrame: 4096 });

describe("hostileCase", () => {
  it("makes the same bytes for the same seed and index, other bytes for another", () => {
    const a = Array.from({ length: 50 }, (_, i) => hostileCase(7, i, ctx("relay")));
    const b = Array.from({ length: 50 }, (_, i) => hostileCase(7, i, ctx("relay")));
    expect(b.map((c) => [c.kind, c.data, c.expect])).toEqual(a.map((c) => [c.kind, c.data, c.expect]));
    const other = Array.from({ length: 50 }, (_, i) => hostileCase(8, i, ctx("relay")));
    expect(other.map((c) => c.data)).not.toEqual(a.map((c) => c.data));
  });

  it.each(KIND_NAMES.map((k) => [k]))("builds %s on both kinds of socket, with an expectation and a detail", (kind) => {
    for (const role of ["drone", "relay"] as const)
      for (let i = 0; i < 20; i++) {
        const c = hostileCase(3, i, ctx(role), [kind]);
        expect(c.kind).toBe(kind);
        expect(typeof c.data === "string" || c.data instanceof Uint8Array).toBe(true);
        expect(c.expect).toMatch(/^(clean|refused|bad-frame|too-large|stream-lost|invalid-point|any)$/);
        // Only a valid stream frame (maybe compressed) hands back an encoder to commit.
        if (c.stream) expect(["valid stream", "valid zstd"]).toContain(c.kind);
        if (c.kind === "valid stream") expect(c.stream).toBeInstanceOf(StreamEncoder);
      }
  });

  it("draws kinds by weight: every kind in a few thousand cases", () => {
    const seen = new Set(Array.from({ length: 5000 }, (_, i) => hostileCase(11, i, ctx("drone")).kind));
    expect([...seen].sort()).toEqual([...KIND_NAMES].sort());
    expect(KINDS.every((k) => k.weight > 0)).toBe(true);
  });

  it("refuses a kind it does not know", () => {
    expect(() => hostileCase(1, 0, ctx("drone"), ["nope"])).toThrow(/no case kind "nope"/);
  });

  it("keeps a valid stream frame readable when the lane's state may be stale, by resetting the table", () => {
    const l = lane("relay");
    l.streamInSync = false;
    const c = hostileCase(5, 0, { ...ctx("relay"), lane: l }, ["valid stream"]);
    const frame = fromBinary(ClientFrameSchema, c.data as Uint8Array);
    expect(frame.kind.case === "stream" && frame.kind.value.reset).toBe(true);
    expect(c.stream).not.toBe(l.stream);
    // In step, the lane's own encoder carries on without a reset.
    const inStep = hostileCase(5, 0, ctx("relay"), ["valid stream"]);
    const again = fromBinary(ClientFrameSchema, inStep.data as Uint8Array);
    expect(again.kind.case === "stream" && again.kind.value.reset).toBe(false);
  });
});
