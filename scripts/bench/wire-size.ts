/**
 * Scenario 4b, bytes per point on the wire: 50-point ClientFrames from the seeded FleetSim, encoded by
 * the client library (encodeTelemetryFrame) as a relay sends them (every point names its drone) and as
 * a drone socket does (its id left off the wire), raw protobuf and zstd level 3 (loadZstdEncoder).
 */
import { encodeTelemetryFrame, type ClientPoint } from "../../src/client/wire.js";
import { loadZstdEncoder } from "../../src/client/zstd.js";
import { FleetSim } from "../../src/sim/fleet.js";

export interface WireSize {
  frames: number;
  protobufBytesPerPoint: number;
  zstdBytesPerPoint: number;
  /** zstd ÷ protobuf. */
  zstdRatio: number;
}

const BATCH = 50;

export async function wireSizes(seed: number): Promise<{ relay: WireSize; drone: WireSize }> {
  const zstd = await loadZstdEncoder(3);
  const sim = new FleetSim({ drones: 500, hz: 10, seed, startTimeMs: 1_700_000_000_000 });
  const all: ClientPoint[] = [];
  while (all.length < 60_000) all.push(...sim.step(1000).points);
  const measure = (frames: ClientPoint[][], implicit: boolean): WireSize => {
    let raw = 0;
    let z = 0;
    let points = 0;
    for (const f of frames) {
      const bytes = encodeTelemetryFrame(implicit ? f.map((p) => ({ ...p, droneId: "" })) : f, implicit ? { implicitDroneId: "" } : {});
      raw += bytes.length;
      z += Math.min(bytes.length, zstd(bytes).length); // the client sends whichever is smaller
      points += f.length;
    }
    return { frames: frames.length, protobufBytesPerPoint: raw / points, zstdBytesPerPoint: z / points, zstdRatio: z / raw };
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
  for (const l of byDrone.values()) for (let i = 0; i + BATCH <= l.length; i += BATCH) droneFrames.push(l.slice(i, i + BATCH));
  return { relay: measure(relayFrames, false), drone: measure(droneFrames, true) };
}
