/**
 * Scenario 4b, bytes per point on the wire: 50-point ClientFrames from the seeded FleetSim, encoded by
 * the client library (encodeTelemetryFrame) as a relay sends them (every point names its drone) and as
 * a drone socket does (its id left off the wire), raw protobuf and zstd level 3 (loadZstdEncoder); then
 * columnar (TelemetryColumns), and as one connection's stream (TelemetryStream, the relay's frames in
 * order on one encoder, each drone's frames on its own; first frames with their ids included).
 */
import { encodeTelemetryFrame, type ClientPoint } from "../../src/client/wire.js";
import { loadZstdEncoder } from "../../src/client/zstd.js";
import { StreamEncoder } from "../../src/wire/telemetry-stream.js";
import { FleetSim } from "../../src/sim/fleet.js";

export interface WireSize {
  frames: number;
  protobufBytesPerPoint: number;
  zstdBytesPerPoint: number;
  /** zstd ÷ protobuf. */
  zstdRatio: number;
  /** The same frames in the columnar, delta-encoded form (TelemetryColumns), raw and zstd. */
  columnarBytesPerPoint: number;
  columnarZstdBytesPerPoint: number;
  /** columnar + zstd ÷ row protobuf. */
  columnarZstdRatio: number;
  /** The same frames as one connection's TelemetryStream (deltas against each drone's previous report), raw and zstd. */
  streamBytesPerPoint: number;
  streamZstdBytesPerPoint: number;
  /** stream + zstd ÷ row protobuf. */
  streamZstdRatio: number;
}

const BATCH = 50;

export async function wireSizes(seed: number): Promise<{ relay: WireSize; drone: WireSize; droneSingle: WireSize }> {
  const zstd = await loadZstdEncoder(3);
  const sim = new FleetSim({ drones: 500, hz: 10, seed, startTimeMs: 1_700_000_000_000 });
  const all: ClientPoint[] = [];
  while (all.length < 60_000) all.push(...sim.step(1000).points);
  /** `frames` in order; `connection(i)` says which connection frame i goes over. */
  const measure = (frames: ClientPoint[][], implicit: boolean, connection: (i: number) => string): WireSize => {
    let raw = 0;
    let z = 0;
    let col = 0;
    let colZ = 0;
    let st = 0;
    let stZ = 0;
    let points = 0;
    const streams = new Map<string, StreamEncoder>();
    for (const [i, f] of frames.entries()) {
      const pts = implicit ? f.map((p) => ({ ...p, droneId: "" })) : f;
      const opts = implicit ? { implicitDroneId: "" } : {};
      const bytes = encodeTelemetryFrame(pts, opts);
      raw += bytes.length;
      z += Math.min(bytes.length, zstd(bytes).length); // the client sends whichever is smaller
      const cbytes = encodeTelemetryFrame(pts, { ...opts, columnar: true });
      col += cbytes.length;
      colZ += Math.min(cbytes.length, zstd(cbytes).length);
      const key = connection(i);
      const stream = streams.get(key) ?? new StreamEncoder(implicit ? 1 : 4000);
      streams.set(key, stream);
      const sbytes = encodeTelemetryFrame(pts, { ...opts, stream });
      stream.commit();
      st += sbytes.length;
      stZ += Math.min(sbytes.length, zstd(sbytes).length);
      points += f.length;
    }
    return {
      frames: frames.length,
      protobufBytesPerPoint: raw / points,
      zstdBytesPerPoint: z / points,
      zstdRatio: z / raw,
      columnarBytesPerPoint: col / points,
      columnarZstdBytesPerPoint: colZ / points,
      columnarZstdRatio: colZ / raw,
      streamBytesPerPoint: st / points,
      streamZstdBytesPerPoint: stZ / points,
      streamZstdRatio: stZ / raw,
    };
  };
  // Relay: consecutive reports of the whole fleet, as a ground station batches them.
  const relayFrames: ClientPoint[][] = [];
  for (let i = 0; i + BATCH <= all.length; i += BATCH) relayFrames.push(all.slice(i, i + BATCH));
  // Drone socket: 50 consecutive reports of one drone (5 s at 10 Hz), id implicit.
  const byDrone = new Map<string, ClientPoint[]>();
  for (const p of all) {
    const l = byDrone.get(p.droneId!) ?? [];
    l.push(p);
    byDrone.set(p.droneId!, l);
  }
  const droneFrames: ClientPoint[][] = [];
  const droneOf: string[] = [];
  for (const [id, l] of byDrone)
    for (let i = 0; i + BATCH <= l.length; i += BATCH) {
      droneFrames.push(l.slice(i, i + BATCH));
      droneOf.push(id);
    }
  // A drone at 10 Hz behind the 50 ms window: each report is a frame of its own.
  const singleFrames: ClientPoint[][] = [];
  const singleOf: string[] = [];
  for (const [id, l] of byDrone)
    for (const p of l) {
      singleFrames.push([p]);
      singleOf.push(id);
    }
  return {
    relay: measure(relayFrames, false, () => "relay"),
    drone: measure(droneFrames, true, (i) => droneOf[i]!),
    droneSingle: measure(singleFrames, true, (i) => singleOf[i]!),
  };
}
