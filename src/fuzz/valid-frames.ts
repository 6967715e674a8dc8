/**
 * Valid client frames of every form, made the way the client library makes them (src/client/wire.ts,
 * the wire's own column and stream encoders): rows, columns, stream, and any of them zstd-compressed.
 * They are the fuzzer's baseline (a valid frame must pass clean) and the raw material it mutates.
 */
import { create, toBinary } from "@bufbuild/protobuf";
import { type ClientPoint, encodePingFrame, encodeTelemetryFrame, toWirePoint } from "../client/wire.js";
import { ClientFrameSchema } from "../gen/airspace/v1/airspace_pb.js";
import { StreamEncoder } from "../wire/telemetry-stream.js";
import { type Draw, chance, int, pick } from "./draw.js";
import { rawZstd } from "./zstd-frames.js";

export const FORMS = ["rows", "columns", "stream", "zstd"] as const;
export type Form = (typeof FORMS)[number];

/** What the generator knows of one socket: who it is and its side of the stream state. */
export interface LaneView {
  role: "drone" | "relay";
  /** A drone socket's own id (the token's sub); a relay's sub. */
  sub: string;
  /** The drones a relay reports (empty on a drone socket). */
  relayDrones: readonly string[];
  /** The welcome's stream_max_drones and max_points_per_frame for this socket. */
  streamTable: number;
  maxPoints: number;
  /** The encoder's state, in step with the gateway's as long as `streamInSync`. */
  stream: StreamEncoder;
  streamInSync: boolean;
  center: { lat: number; lon: number };
}

/** A frame and, for a stream frame, the encoder that made it (commit it once the frame is taken). */
export interface BuiltFrame {
  bytes: Uint8Array;
  form: Form;
  stream?: StreamEncoder;
}

/** Plausible reports around the lane's centre, measured in the last half second. */
export function validPoints(r: Draw, lane: LaneView, nowMs: number): ClientPoint[] {
  const n = Math.min(lane.maxPoints, lane.role === "drone" ? int(r, 1, 5) : int(r, 1, 40));
  const out: ClientPoint[] = [];
  for (let i = 0; i < n; i++) {
    const p: ClientPoint = {
      droneId: lane.role === "drone" ? lane.sub : pick(r, lane.relayDrones),
      timeMs: nowMs - int(r, 0, 500),
      lat: lane.center.lat + (r() - 0.5) * 0.02,
      lon: lane.center.lon + (r() - 0.5) * 0.02,
      altM: 30 + r() * 170,
      vn: (r() - 0.5) * 40,
      ve: (r() - 0.5) * 40,
      vu: (r() - 0.5) * 6,
    };
    if (chance(r, 0.7)) p.battery = int(r, 0, 100);
    if (chance(r, 0.5)) p.seq = int(r, 0, 0xffffffff);
    out.push(p);
  }
  return out;
}

/**
 * A stream frame against the lane's state, or, when the gateway's side may have moved (a hostile frame
 * could have been applied), a fresh encoder's frame that resets the table: readable against any state.
 */
function streamFrame(r: Draw, lane: LaneView, nowMs: number): BuiltFrame {
  const points = validPoints(r, lane, nowMs);
  const base = Math.min(...points.map((p) => p.timeMs));
  const enc = lane.streamInSync ? lane.stream : new StreamEncoder(lane.streamTable);
  const implicit = lane.role === "drone" ? lane.sub : undefined;
  const m = enc.encode(
    points.map((p) => toWirePoint(p, base, implicit)),
    BigInt(base),
  );
  if (!m) throw new RangeError(`a valid frame names more drones than the stream table (${lane.streamTable}) holds`);
  if (!lane.streamInSync) m.reset = true;
  const bytes = toBinary(ClientFrameSchema, create(ClientFrameSchema, { kind: { case: "stream", value: m } }));
  return { bytes, form: "stream", stream: enc };
}

/** A valid frame of `form`; "zstd" wraps one of the others, through `compress` when given, else in raw blocks. */
export function validFrame(r: Draw, lane: LaneView, form: Form, nowMs: number, compress?: (b: Uint8Array) => Uint8Array): BuiltFrame {
  const implicitDroneId = lane.role === "drone" ? lane.sub : undefined;
  switch (form) {
    case "rows":
      return { bytes: encodeTelemetryFrame(validPoints(r, lane, nowMs), { implicitDroneId }), form };
    case "columns":
      return { bytes: encodeTelemetryFrame(validPoints(r, lane, nowMs), { implicitDroneId, columnar: true }), form };
    case "stream":
      return streamFrame(r, lane, nowMs);
    case "zstd": {
      const inner = chance(r, 0.1)
        ? { bytes: encodePingFrame(int(r, 0, 2 ** 31)), form }
        : validFrame(r, lane, pick(r, ["rows", "columns", "stream"] as const), nowMs);
      const bytes = compress && chance(r, 0.7) ? compress(inner.bytes) : rawZstd(inner.bytes);
      return { ...inner, bytes, form };
    }
  }
}
