import { maxHaloM } from "./geo/regions.js";

/** Highest latitude the region grid is checked for at start-up (the halo must fit its cells there). */
export const MAX_OPERATING_LAT = 70;

/**
 * Every limit and tunable of airspace, with its default, in one place. Each can be overridden by a
 * wrangler.toml `[vars]` entry (or a `.dev.vars` line) named in `env`; values are validated at start-up
 * and a bad one fails with a message naming the variable, never silently falls back.
 */

export interface Options {
  /** Conflict horizontal radius R, metres. Env CONFLICT_RADIUS_M. Default: 15 */
  conflictRadiusM: number;
  /** Conflict vertical half-height H, metres. Env CONFLICT_HEIGHT_M. Default: 5 */
  conflictHeightM: number;
  /** Conflict look-ahead T, seconds. Env LOOKAHEAD_S. Default: 5 */
  lookaheadS: number;
  /** An alert is `warning` when the time to entry is at most this, seconds. Env WARNING_TIME_S. Default: 2 */
  warningTimeS: number;
  /** A drone state not heard from for this long (region clock), or this much older than the other report of a pair, is not used, ms. Env STALE_AFTER_MS. Default: 3000 */
  staleAfterMs: number;

  /** Largest frame accepted, compressed or decompressed, bytes. Env MAX_FRAME_BYTES. Default: 1048576 */
  maxFrameBytes: number;
  /** Largest number of points in one frame. Env MAX_POINTS_PER_FRAME. Default: 4096 */
  maxPointsPerFrame: number;
  /** Bad frames tolerated per BAD_FRAME_WINDOW_MS before closing with 1008. Env BAD_FRAME_LIMIT. Default: 10 */
  badFrameLimit: number;
  /** Window for BAD_FRAME_LIMIT, ms. Env BAD_FRAME_WINDOW_MS. Default: 10000 */
  badFrameWindowMs: number;
  /** Fastest plausible ground or vertical speed; faster points are rejected. Env MAX_SPEED_MPS. Default: 100 */
  maxSpeedMps: number;
  /** Points measured further in the future than this are rejected, ms. Env MAX_FUTURE_MS. Default: 10000 */
  maxFutureMs: number;

  /** Points measured longer ago than this are rejected as history, ms. Env MAX_AGE_MS. Default: 60000 */
  maxAgeMs: number;

  /** Geohash precision of region cells (4 ≈ 39 × 19.5 km at the equator). Env REGION_PRECISION. Default: 4 */
  regionPrecision: number;
  /** Distance from a region border within which a point is also sent to the neighbour as a ghost, metres; at least R + maxSpeed × (2T + stale limit) (docs/reliability.md). Env HALO_M. Default: 1315 */
  haloM: number;

  /** Sustained points per second per drone. Env DRONE_RATE. Default: 20 */
  droneRate: number;
  /** Token-bucket burst per drone, points. Env DRONE_BURST. Default: 40 */
  droneBurst: number;
  /** Frames per second per drone connection (relays get this × drones carried, capped). Env CONN_FRAMES_PER_S. Default: 50 */
  connFramesPerS: number;
  /** Bytes per second per drone connection (relays scaled like frames). Env CONN_BYTES_PER_S. Default: 65536 */
  connBytesPerS: number;
  /** Largest number of drones a relay's connection limits are scaled by. Env RELAY_MAX_DRONES. Default: 2000 */
  relayMaxDrones: number;
  /** A client above 10× its rate for this long is closed with 1008, ms. Env ABUSE_CLOSE_MS. Default: 10000 */
  abuseCloseMs: number;

  /** Near-duplicate: horizontal distance below which a point may be dropped, m. Env DEDUPE_H_M. Default: 0.5 */
  dedupeHorizontalM: number;
  /** Near-duplicate: vertical distance, m. Env DEDUPE_V_M. Default: 0.5 */
  dedupeVerticalM: number;
  /** Near-duplicate: velocity difference, m/s. Env DEDUPE_SPEED_MPS. Default: 0.5 */
  dedupeSpeedMps: number;
  /** Near-duplicate: a point this long after the last forwarded one is always forwarded, ms. Env DEDUPE_REFRESH_MS. Default: 1000 */
  dedupeRefreshMs: number;

  /** Micro-batch window, ms: the longest a point waits for others to share its message (none when the socket's frames come further apart). Env BATCH_WINDOW_MS. Default: 50 */
  batchWindowMs: number;
  /** A batch is flushed at once when it holds this many points. Env BATCH_MAX_POINTS. Default: 256 */
  batchMaxPoints: number;
  /** Safety-aware stretch: drones provably far from all others may wait up to this, ms (0 = off). Env STRETCH_MAX_MS. Default: 0 */
  stretchMaxMs: number;

  /** The region acknowledges at least this often while batches arrive, ms. Env ACK_EVERY_MS. Default: 100 */
  ackEveryMs: number;
  /** … or after this many batches. Env ACK_EVERY_BATCHES. Default: 32 */
  ackEveryBatches: number;
  /** Unacknowledged batches kept for replay, at most this old, ms. Env REPLAY_MAX_MS. Default: 5000 */
  replayMaxMs: number;
  /** … and at most this many bytes. Env REPLAY_MAX_BYTES. Default: 4194304 */
  replayMaxBytes: number;

  /** Vertical speed a climb/descend advisory assumes (and asks for), m/s. Env ADVISORY_CLIMB_RATE_MPS. Default: 2 */
  advisoryClimbRateMps: number;
  /** Turn rate a turn advisory assumes, degrees per second. Env ADVISORY_TURN_RATE_DPS. Default: 15 */
  advisoryTurnRateDps: number;

  /** A drone unseen this long is `lost`, ms. Env LOST_AFTER_MS. Default: 3000 */
  lostAfterMs: number;
  /** A drone unseen this long is evicted from its region, ms. Env EVICT_AFTER_MS. Default: 600000 */
  evictAfterMs: number;
  /** Battery percentage under which a return-to-home advisory is sent once. Env LOW_BATTERY_PCT. Default: 20 */
  lowBatteryPct: number;
  /** Home points reaching their region later than this after measurement are counted and their link told the edge is behind, ms. Env LATE_NOTICE_MS. Default: 1000 */
  lateNoticeMs: number;
  /** Alert audit rows are kept this many days. Env AUDIT_RETENTION_DAYS. Default: 7 */
  auditRetentionDays: number;
  /** Per-second metrics are kept locally this many hours. Env METRICS_RETENTION_H. Default: 24 */
  metricsRetentionH: number;
}

type NumericKey = keyof Options;

/** Env variable name, lower bound (inclusive) and upper bound (inclusive) of each option. */
const SPEC: Record<NumericKey, { env: string; min: number; max: number; int?: boolean }> = {
  conflictRadiusM: { env: "CONFLICT_RADIUS_M", min: 0.1, max: 10_000 },
  conflictHeightM: { env: "CONFLICT_HEIGHT_M", min: 0.1, max: 10_000 },
  lookaheadS: { env: "LOOKAHEAD_S", min: 0, max: 600 },
  warningTimeS: { env: "WARNING_TIME_S", min: 0, max: 600 },
  staleAfterMs: { env: "STALE_AFTER_MS", min: 100, max: 600_000, int: true },
  maxFrameBytes: { env: "MAX_FRAME_BYTES", min: 64, max: 32 * 1024 * 1024, int: true },
  maxPointsPerFrame: { env: "MAX_POINTS_PER_FRAME", min: 1, max: 100_000, int: true },
  badFrameLimit: { env: "BAD_FRAME_LIMIT", min: 0, max: 1_000_000, int: true },
  badFrameWindowMs: { env: "BAD_FRAME_WINDOW_MS", min: 100, max: 3_600_000, int: true },
  maxSpeedMps: { env: "MAX_SPEED_MPS", min: 1, max: 1000 },
  maxFutureMs: { env: "MAX_FUTURE_MS", min: 0, max: 3_600_000, int: true },
  maxAgeMs: { env: "MAX_AGE_MS", min: 1000, max: 86_400_000, int: true },
  regionPrecision: { env: "REGION_PRECISION", min: 1, max: 8, int: true },
  haloM: { env: "HALO_M", min: 0, max: 100_000 },
  droneRate: { env: "DRONE_RATE", min: 0.1, max: 10_000 },
  droneBurst: { env: "DRONE_BURST", min: 1, max: 100_000 },
  connFramesPerS: { env: "CONN_FRAMES_PER_S", min: 1, max: 1_000_000 },
  connBytesPerS: { env: "CONN_BYTES_PER_S", min: 1024, max: 1e10 },
  relayMaxDrones: { env: "RELAY_MAX_DRONES", min: 1, max: 1_000_000, int: true },
  abuseCloseMs: { env: "ABUSE_CLOSE_MS", min: 1000, max: 3_600_000, int: true },
  dedupeHorizontalM: { env: "DEDUPE_H_M", min: 0, max: 100 },
  dedupeVerticalM: { env: "DEDUPE_V_M", min: 0, max: 100 },
  dedupeSpeedMps: { env: "DEDUPE_SPEED_MPS", min: 0, max: 100 },
  dedupeRefreshMs: { env: "DEDUPE_REFRESH_MS", min: 0, max: 60_000, int: true },
  batchWindowMs: { env: "BATCH_WINDOW_MS", min: 0, max: 10_000, int: true },
  batchMaxPoints: { env: "BATCH_MAX_POINTS", min: 1, max: 65_535, int: true },
  stretchMaxMs: { env: "STRETCH_MAX_MS", min: 0, max: 10_000, int: true },
  ackEveryMs: { env: "ACK_EVERY_MS", min: 1, max: 10_000, int: true },
  ackEveryBatches: { env: "ACK_EVERY_BATCHES", min: 1, max: 10_000, int: true },
  replayMaxMs: { env: "REPLAY_MAX_MS", min: 100, max: 600_000, int: true },
  replayMaxBytes: { env: "REPLAY_MAX_BYTES", min: 1024, max: 1 << 30, int: true },
  advisoryClimbRateMps: { env: "ADVISORY_CLIMB_RATE_MPS", min: 0.1, max: 50 },
  advisoryTurnRateDps: { env: "ADVISORY_TURN_RATE_DPS", min: 1, max: 180 },
  lostAfterMs: { env: "LOST_AFTER_MS", min: 100, max: 3_600_000, int: true },
  evictAfterMs: { env: "EVICT_AFTER_MS", min: 1000, max: 7 * 86_400_000, int: true },
  lowBatteryPct: { env: "LOW_BATTERY_PCT", min: 0, max: 100 },
  lateNoticeMs: { env: "LATE_NOTICE_MS", min: 100, max: 600_000, int: true },
  auditRetentionDays: { env: "AUDIT_RETENTION_DAYS", min: 0, max: 3650 },
  metricsRetentionH: { env: "METRICS_RETENTION_H", min: 0, max: 24 * 365 },
};

export const DEFAULTS: Readonly<Options> = Object.freeze({
  conflictRadiusM: 15,
  conflictHeightM: 5,
  lookaheadS: 5,
  warningTimeS: 2,
  staleAfterMs: 3000,
  maxFrameBytes: 1024 * 1024,
  maxPointsPerFrame: 4096,
  badFrameLimit: 10,
  badFrameWindowMs: 10_000,
  maxSpeedMps: 100,
  maxFutureMs: 10_000,
  maxAgeMs: 60_000,
  regionPrecision: 4,
  haloM: 15 + 100 * (2 * 5 + 3),
  droneRate: 20,
  droneBurst: 40,
  connFramesPerS: 50,
  connBytesPerS: 65_536,
  relayMaxDrones: 2000,
  abuseCloseMs: 10_000,
  dedupeHorizontalM: 0.5,
  dedupeVerticalM: 0.5,
  dedupeSpeedMps: 0.5,
  dedupeRefreshMs: 1000,
  batchWindowMs: 50,
  batchMaxPoints: 256,
  stretchMaxMs: 0,
  ackEveryMs: 100,
  ackEveryBatches: 32,
  replayMaxMs: 5000,
  replayMaxBytes: 4 * 1024 * 1024,
  advisoryClimbRateMps: 2,
  advisoryTurnRateDps: 15,
  lostAfterMs: 3000,
  evictAfterMs: 600_000,
  lowBatteryPct: 20,
  lateNoticeMs: 1000,
  auditRetentionDays: 7,
  metricsRetentionH: 24,
});

/** A configuration value that cannot be used; the message names the variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Every option with its env name and default, for the README's configuration table. */
export function describeOptions(): { key: NumericKey; env: string; default: number }[] {
  return (Object.keys(SPEC) as NumericKey[]).map((key) => ({ key, env: SPEC[key].env, default: DEFAULTS[key] }));
}

/**
 * Options from an env-like record (wrangler `[vars]` arrive as strings or numbers). Unset or empty
 * entries take the default; the halo default follows R, maxSpeed and T when HALO_M is unset.
 */
export function loadOptions(env: Record<string, unknown> = {}): Options {
  const out = { ...DEFAULTS } as Options;
  let haloSet = false;
  for (const key of Object.keys(SPEC) as NumericKey[]) {
    const spec = SPEC[key];
    const raw = env[spec.env];
    if (raw === undefined || raw === null || raw === "") continue;
    const value = typeof raw === "number" ? raw : Number(String(raw).trim());
    if (!Number.isFinite(value)) throw new ConfigError(`${spec.env} must be a number, got ${JSON.stringify(raw)}`);
    if (value < spec.min || value > spec.max) throw new ConfigError(`${spec.env} must be between ${spec.min} and ${spec.max}, got ${value}`);
    if (spec.int && !Number.isInteger(value)) throw new ConfigError(`${spec.env} must be an integer, got ${value}`);
    out[key] = value;
    if (key === "haloM") haloSet = true;
  }
  // Two drones whose reports are up to the stale limit apart can conflict within T while their
  // reported positions are R + vmax·(2T + stale) apart: the halo must reach that far (docs/reliability.md).
  const minHalo = out.conflictRadiusM + out.maxSpeedMps * (2 * out.lookaheadS + out.staleAfterMs / 1000);
  if (!haloSet) out.haloM = minHalo;
  else if (out.haloM < minHalo)
    throw new ConfigError(
      `HALO_M must be at least CONFLICT_RADIUS_M + MAX_SPEED_MPS × (2 × LOOKAHEAD_S + STALE_AFTER_MS / 1000) = ${minHalo} m, or conflicts across a region border go unseen; got ${out.haloM}`,
    );
  const fits = maxHaloM(out.regionPrecision, MAX_OPERATING_LAT);
  if (out.haloM > fits)
    throw new ConfigError(
      `HALO_M (${out.haloM} m) is wider than half a region cell at REGION_PRECISION ${out.regionPrecision} (${Math.floor(fits)} m at ${MAX_OPERATING_LAT}° latitude): choose a coarser REGION_PRECISION or a smaller MAX_SPEED_MPS / LOOKAHEAD_S`,
    );
  if (out.warningTimeS > out.lookaheadS) throw new ConfigError(`WARNING_TIME_S (${out.warningTimeS}) must not exceed LOOKAHEAD_S (${out.lookaheadS})`);
  // A hovering drone reaches its region only through the dedupe refresh, which may then wait a batch
  // window: if that took the stale limit, the region would stop using the drone while it still
  // reports, and its conflicts would go unalerted on its side (issue 14). Half the limit leaves room
  // for one refresh arriving late. (A stretched point is provably far: batcher.ts has its own proof.)
  const refreshReachMs = out.dedupeRefreshMs + out.batchWindowMs;
  const staleLimitMs = Math.min(out.staleAfterMs, out.lookaheadS * 1000);
  if (refreshReachMs >= staleLimitMs / 2)
    throw new ConfigError(
      `DEDUPE_REFRESH_MS + BATCH_WINDOW_MS (${refreshReachMs} ms) must stay under half the stale limit min(STALE_AFTER_MS, LOOKAHEAD_S × 1000) (${staleLimitMs} ms), or a hovering drone goes stale in its region between its refreshes`,
    );
  return out;
}
