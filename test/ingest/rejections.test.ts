import { describe, expect, it } from "vitest";
import { fromBinary } from "@bufbuild/protobuf";
import { ErrorCode, ServerFrameSchema } from "../../src/gen/airspace/v1/airspace_pb.js";
import { FrameRejections } from "../../src/ingest/rejections.js";

const errors = (frames: Uint8Array[]) =>
  frames.map((f) => {
    const m = fromBinary(ServerFrameSchema, f);
    if (m.kind.case !== "error") throw new Error(`expected an error frame, got ${m.kind.case}`);
    return { code: m.kind.value.code, count: m.kind.value.count, droneId: m.kind.value.droneId, message: m.kind.value.message };
  });

describe("FrameRejections", () => {
  it("nothing rejected: no frame", () => {
    expect(new FrameRejections().frames("d-1")).toEqual([]);
  });

  it("one frame per kind with its count, naming the first problem and its drone", () => {
    const r = new FrameRejections();
    r.add({ status: "rejected", reason: "latitude", droneId: "x", message: "latitude 91 outside [-90, 90]" });
    r.add({ status: "rejected", reason: "wrong_drone", droneId: "y", message: "this token may only send drone d-1" });
    r.add({ status: "rejected", reason: "speed", droneId: "z", message: "speed over 100 m/s" });
    const [wrong, invalid] = errors(r.frames("d-1"));
    expect(wrong).toMatchObject({ code: ErrorCode.WRONG_DRONE, count: 1, droneId: "y" }); // the drone it names
    expect(wrong!.message).toContain("d-1");
    expect(invalid).toMatchObject({ code: ErrorCode.INVALID_POINT, count: 2, droneId: "x" });
    expect(invalid!.message).toContain("latitude 91");
  });
  it("cleared, it reports the next frame's rejections only", () => {
    const r = new FrameRejections();
    r.add({ status: "rejected", reason: "latitude", droneId: "x", message: "latitude 91 outside [-90, 90]" });
    expect(r.any).toBe(true);
    expect(r.clear().any).toBe(false);
    expect(r.frames("d-1")).toEqual([]);
    r.add({ status: "rejected", reason: "speed", droneId: "z", message: "speed over 100 m/s" });
    expect(errors(r.frames("d-1"))).toEqual([expect.objectContaining({ code: ErrorCode.INVALID_POINT, count: 1, droneId: "z" })]);
  });
});
