/**
 * A session's first frame: its id and every limit in force, so a client paces and sizes what it sends
 * from the server's own numbers instead of guessing (and learns the server clock's offset).
 */
import type { Options } from "../config.js";
import { welcomeFrame } from "../wire/server-frames.js";

export function sessionWelcome(o: Options, role: string, droneId: string, streamMaxDrones: number, sessionId: string, nowMs: number): Uint8Array {
  return welcomeFrame({
    sessionId,
    role,
    droneId,
    maxFrameBytes: o.maxFrameBytes,
    maxPointsPerFrame: o.maxPointsPerFrame,
    pointsPerSecond: o.droneRate,
    burstPoints: o.droneBurst,
    batchWindowMs: o.batchWindowMs,
    conflictRadiusM: o.conflictRadiusM,
    conflictHeightM: o.conflictHeightM,
    lookaheadS: o.lookaheadS,
    serverTimeMs: BigInt(nowMs),
    streamMaxDrones,
    relayMaxDrones: o.relayMaxDrones,
  });
}
