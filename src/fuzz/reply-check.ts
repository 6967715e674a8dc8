/**
 * The rules every answer of the gateway's socket pipeline must keep, whatever it was sent: replies
 * are ServerFrames a client can decode (error, notice or pong; small), a close uses a documented
 * code after its error frame, and a batch carries only points that pass every range check. The point
 * checks are written again here, not imported from validate.ts, so a bug there cannot hide itself.
 */
import { fromBinary } from "@bufbuild/protobuf";
import type { Options } from "../config.js";
import { ErrorCode, ServerFrameSchema } from "../gen/airspace/v1/airspace_pb.js";
import type { SessionBatch, SessionOutput } from "../ingest/session-output.js";
import { MAX_ALT_M, MAX_ID_BYTES, MIN_ALT_M } from "../tunables.js";
import { CloseCode } from "../wire/close-codes.js";
import { COUNTER_NAMES } from "../wire/counters.js";
import { localDroneId } from "../wire/fleet-key.js";

/** A reply to one frame is an error, a notice or a pong with a sentence: never near a frame's size. */
export const MAX_REPLY_BYTES = 4096;
/** One frame earns at most: its errors (two kinds of rejected point), a policy error, a notice, a pong. */
export const MAX_REPLIES = 4;

/** Each close a client can cause, and the error frame that must come with it (docs/protocol.md). */
const CLOSES = new Map<number, ErrorCode>([
  [CloseCode.STREAM_LOST, ErrorCode.STREAM],
  [CloseCode.POLICY, ErrorCode.POLICY],
  [CloseCode.TOO_BIG, ErrorCode.FRAME_TOO_LARGE],
]);

const GEOHASH = /^[0-9b-hjkmnp-z]+$/;
const utf8 = new TextEncoder();

/** The replies' error codes and whether a pong came, with every rule they break. */
export function readReplies(out: SessionOutput): { errors: ErrorCode[]; pong: boolean; problems: string[] } {
  const errors: ErrorCode[] = [];
  const problems: string[] = [];
  let pong = false;
  if (out.toClient.length > MAX_REPLIES) problems.push(`${out.toClient.length} replies to one frame`);
  for (const bytes of out.toClient) {
    if (!(bytes instanceof Uint8Array) || bytes.length === 0 || bytes.length > MAX_REPLY_BYTES) {
      problems.push(`a reply of ${bytes?.length} bytes`);
      continue;
    }
    let k: ReturnType<typeof fromBinary<typeof ServerFrameSchema>>["kind"];
    try {
      k = fromBinary(ServerFrameSchema, bytes).kind;
    } catch (e) {
      problems.push(`a reply that is not a ServerFrame: ${(e as Error).message}`);
      continue;
    }
    if (k.case === "error") {
      if (ErrorCode[k.value.code] === undefined || k.value.code === ErrorCode.UNSPECIFIED) problems.push(`error frame with code ${k.value.code}`);
      if (k.value.message.length === 0) problems.push("error frame without a message");
      errors.push(k.value.code);
    } else if (k.case === "pong") pong = true;
    else if (k.case !== "rateLimit") problems.push(`${k.case ?? "an empty"} frame in reply to a client frame`);
  }
  if (out.close) {
    const code = out.close.code;
    const needs = CLOSES.get(code);
    if (needs === undefined) problems.push(`close ${code} is not a close a client can cause`);
    else if (errors.at(-1) !== needs) problems.push(`close ${code} without its ${ErrorCode[needs]} error frame last`);
  }
  return { errors, pong, problems };
}

export interface PointRules {
  opts: Options;
  /** The drone a drone token may send, or null for a relay. */
  ownDroneId: string | null;
  nowMs: number;
}

/** Every way a batch breaks the rules: its shape, its counters, each of its points. */
export function batchProblems(b: SessionBatch, rules: PointRules): string[] {
  const { opts, ownDroneId, nowMs } = rules;
  const out: string[] = [];
  if (b.regionKey.length !== opts.regionPrecision || !GEOHASH.test(b.regionKey)) out.push(`batch for region ${JSON.stringify(b.regionKey)}`);
  if (b.ghost.length !== b.points.length) out.push(`${b.ghost.length} ghost flags for ${b.points.length} points`);
  if (b.points.length > opts.batchMaxPoints) out.push(`a batch of ${b.points.length} points`);
  if (b.counters.length !== COUNTER_NAMES.length || b.counters.some((c) => !(Number.isInteger(c) && c >= 0))) out.push("counters that are not counts");
  for (const p of b.points) {
    const why = pointProblem(p, opts, ownDroneId, nowMs);
    if (why) out.push(`accepted a point with ${why}: ${JSON.stringify(p)}`);
  }
  return out;
}

function pointProblem(p: SessionBatch["points"][number], o: Options, own: string | null, nowMs: number): string | null {
  for (const k of ["timeMs", "lat", "lon", "altM", "vn", "ve", "vu", "battery", "seq"] as const) if (!Number.isFinite(p[k])) return `${k} ${p[k]}`;
  if (p.droneId.length === 0 || utf8.encode(p.droneId).length > MAX_ID_BYTES) return "a bad drone id";
  if (own !== null && localDroneId(p.droneId) !== own) return "another drone's id";
  if (Math.abs(p.lat) > 90 || Math.abs(p.lon) > 180) return "a position off the globe";
  if (p.altM < MIN_ALT_M || p.altM > MAX_ALT_M) return "an altitude out of range";
  if (Math.hypot(p.vn, p.ve) > o.maxSpeedMps || Math.abs(p.vu) > o.maxSpeedMps) return "a speed over the limit";
  if (p.timeMs > nowMs + o.maxFutureMs || p.timeMs < nowMs - o.maxAgeMs - 1000) return "a time out of range";
  if (p.battery !== -1 && !(Number.isInteger(p.battery) && p.battery >= 0 && p.battery <= 100)) return "a battery out of range";
  if (p.seq !== -1 && !(Number.isInteger(p.seq) && p.seq >= 0 && p.seq <= 0xffffffff)) return "a sequence number out of range";
  return null;
}
