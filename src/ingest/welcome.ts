/**
 * A session's first frame: its id and every limit in force, so a client paces and sizes what it sends
 * from the server's own numbers instead of guessing (and learns the server clock's offset).
 */
import type { Options } from "../config.js";
import { welcomeFrame } from "../wire/server-frames.js";
import { PING_RATE_PER_S } from "../tunables.js";
import type { SessionPrincipal } from "./session-output.js";

export function sessionWelcome(
  o: Options,
  principal: SessionPrincipal,
  droneId: string,
  streamMaxDrones: number,
  sessionId: string,
  nowMs: number,
  expiresAtMs: number,
): Uint8Array {
  return welcomeFrame({
    sessionId,
    role: principal.role,
    droneId,
    fleet: principal.fleet,
    expiresAtMs: BigInt(Number.isFinite(expiresAtMs) ? Math.round(expiresAtMs) : 0),
    pingsPerSecond: PING_RATE_PER_S,
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
