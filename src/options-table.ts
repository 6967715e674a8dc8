/** One option, written once: its variable, default, bounds (inclusive) and meaning (README's table). */
export interface OptionSpec {
  env: string;
  default: number;
  min: number;
  max: number;
  int?: boolean;
  doc: string;
  /** The variable's former name, still read when the new one is unset (an upgrade must not silently reset it). */
  formerly?: string;
}

/**
 * Every limit and tunable of airspace, written once: the single source of the Options type, the
 * defaults, the start-up validation and README's configuration table (scripts/config-table.ts; a test
 * holds README to it). Each can be overridden by a wrangler.toml `[vars]` entry (or a `.dev.vars` line)
 * named in `env`; a bad value fails start-up with a message naming the variable, never silently.
 */
export const OPTIONS = {
  conflictRadiusM: { env: "CONFLICT_RADIUS_M", default: 15, min: 0.1, max: 10_000, doc: "Conflict horizontal radius R, metres." },
  conflictHeightM: { env: "CONFLICT_HEIGHT_M", default: 5, min: 0.1, max: 10_000, doc: "Conflict vertical half-height H, metres." },
  lookaheadS: { env: "LOOKAHEAD_S", default: 5, min: 0, max: 600, doc: "Conflict look-ahead T, seconds." },
  warningTimeS: { env: "WARNING_TIME_S", default: 2, min: 0, max: 600, doc: "An alert is `warning` when the time to entry is at most this, seconds." },
  staleAfterMs: {
    env: "STALE_AFTER_MS",
    default: 3000,
    min: 100,
    max: 600_000,
    int: true,
    doc: "A drone state not heard from for this long (region clock), or this much older than the other report of a pair, is not used, ms.",
  },

  maxFrameBytes: {
    env: "MAX_FRAME_BYTES",
    default: 1024 * 1024,
    min: 64,
    max: 32 * 1024 * 1024,
    int: true,
    doc: "Largest frame accepted, compressed or decompressed, bytes.",
  },
  maxPointsPerFrame: { env: "MAX_POINTS_PER_FRAME", default: 4096, min: 1, max: 100_000, int: true, doc: "Largest number of points in one frame." },
  badFrameLimit: {
    env: "BAD_FRAME_LIMIT",
    default: 10,
    min: 0,
    max: 1_000_000,
    int: true,
    doc: "Bad frames tolerated per BAD_FRAME_WINDOW_MS before closing with 1008.",
  },
  badFrameWindowMs: { env: "BAD_FRAME_WINDOW_MS", default: 10_000, min: 100, max: 3_600_000, int: true, doc: "Window for BAD_FRAME_LIMIT, ms." },
  maxSpeedMps: { env: "MAX_SPEED_MPS", default: 100, min: 1, max: 1000, doc: "Fastest plausible ground or vertical speed; faster points are rejected." },
  maxFutureMs: {
    env: "MAX_FUTURE_MS",
    default: 1000,
    min: 0,
    max: 3_600_000,
    int: true,
    doc: "Points measured further in the future than this are rejected, ms; under half the stale limit (docs/security.md).",
  },

  maxAgeMs: {
    env: "MAX_AGE_MS",
    default: 60_000,
    min: 1000,
    max: 86_400_000,
    int: true,
    doc: "Points measured longer ago than this are rejected as history, ms.",
  },

  regionPrecision: {
    env: "REGION_PRECISION",
    default: 4,
    min: 1,
    max: 8,
    int: true,
    doc: "Geohash precision of region cells (4 ≈ 39 × 19.5 km at the equator).",
  },
  haloM: {
    env: "HALO_M",
    default: 15 + 100 * (2 * 5 + 3),
    min: 0,
    max: 100_000,
    doc: "Distance from a region border within which a point is also sent to the neighbour as a ghost, metres; at least R + maxSpeed × (2T + stale limit) (docs/reliability.md).",
  },

  droneRate: { env: "DRONE_RATE", default: 20, min: 0.1, max: 10_000, doc: "Sustained points per second per drone." },
  droneBurst: { env: "DRONE_BURST", default: 40, min: 1, max: 100_000, doc: "Token-bucket burst per drone, points." },
  connFramesPerS: {
    env: "CONN_FRAMES_PER_S",
    default: 50,
    min: 1,
    max: 1_000_000,
    doc: "Frames per second per drone connection (relays get this × drones carried, capped).",
  },
  connBytesPerS: { env: "CONN_BYTES_PER_S", default: 65_536, min: 1024, max: 1e10, doc: "Bytes per second per drone connection (relays scaled like frames)." },
  relayMaxDrones: {
    env: "RELAY_MAX_DRONES",
    default: 2000,
    min: 1,
    max: 1_000_000,
    int: true,
    doc: "Largest number of drones a relay's connection limits are scaled by.",
  },
  abuseCloseMs: {
    env: "ABUSE_CLOSE_MS",
    default: 10_000,
    min: 1000,
    max: 3_600_000,
    int: true,
    doc: "Abuse score closing a client with 1008, as ms of offering over 10× its rate (each such second adds 1000, each calm one takes 250 back).",
  },
  droneMaxRegions: { env: "DRONE_MAX_REGIONS", default: 16, min: 1, max: 10_000, int: true, doc: "Regions a drone token's session may send to at once." },
  relayMaxRegions: { env: "RELAY_MAX_REGIONS", default: 1024, min: 1, max: 100_000, int: true, doc: "Regions a relay token's session may send to at once." },
  loadShedding: {
    env: "LOAD_SHEDDING",
    default: 1,
    min: 0,
    max: 1,
    int: true,
    doc: "1: a region that cannot keep pace, or a gateway link it has not acknowledged deep into RESEND_MAX_MS, holds back far drones' points (docs/reliability.md, Overload); 0: never (alerts of a region that falls behind come late, and a link past its resend window loses points, counted).",
  },
  linkIdleMs: {
    env: "LINK_IDLE_MS",
    default: 30_000,
    min: 1000,
    max: 3_600_000,
    int: true,
    doc: "A session's link to a region with nothing sent for this long and everything acknowledged is closed, ms.",
  },
  tokenMaxConnections: {
    env: "TOKEN_MAX_CONNECTIONS",
    default: 4,
    min: 1,
    max: 100_000,
    int: true,
    doc: "Open sockets per token (its jti, else fleet and sub) in one gateway isolate.",
  },

  fleetMaxDrones: {
    env: "FLEET_MAX_DRONES",
    default: 20_000,
    min: 0,
    max: 10_000_000,
    int: true,
    doc: "Drones one fleet may report at once, across all its sessions (0 = unlimited; per fleet: FLEET_QUOTAS, docs/security.md).",
  },
  fleetMaxRegions: {
    env: "FLEET_MAX_REGIONS",
    default: 1024,
    min: 0,
    max: 1_000_000,
    int: true,
    doc: "Regions one fleet's sessions may send to at once, all together (0 = unlimited; per fleet: FLEET_QUOTAS).",
  },
  fleetLeaseMs: {
    env: "FLEET_LEASE_MS",
    default: 90_000,
    min: 1000,
    max: 3_600_000,
    int: true,
    doc: "A drone or region a session stopped renewing leaves its fleet's quota after this long, ms; sessions renew every third of it.",
  },

  dedupeHorizontalM: { env: "DEDUPE_H_M", default: 0.5, min: 0, max: 100, doc: "Near-duplicate: horizontal distance below which a point may be dropped, m." },
  dedupeVerticalM: { env: "DEDUPE_V_M", default: 0.5, min: 0, max: 100, doc: "Near-duplicate: vertical distance, m." },
  dedupeSpeedMps: { env: "DEDUPE_SPEED_MPS", default: 0.5, min: 0, max: 100, doc: "Near-duplicate: velocity difference, m/s." },
  dedupeRefreshMs: {
    env: "DEDUPE_REFRESH_MS",
    default: 1000,
    min: 0,
    max: 60_000,
    int: true,
    doc: "Near-duplicate: a point this long after the last forwarded one is always forwarded, ms.",
  },

  batchWindowMs: {
    env: "BATCH_WINDOW_MS",
    default: 50,
    min: 0,
    max: 10_000,
    int: true,
    doc: "Micro-batch window, ms: the longest a point waits for others to share its message (none when the socket's frames come further apart).",
  },
  batchMaxPoints: { env: "BATCH_MAX_POINTS", default: 256, min: 1, max: 65_535, int: true, doc: "A batch is flushed at once when it holds this many points." },
  stretchMaxMs: {
    env: "STRETCH_MAX_MS",
    default: 0,
    min: 0,
    max: 10_000,
    int: true,
    doc: "Safety-aware stretch: drones provably far from all others may wait up to this, ms (0 = off).",
  },

  ackEveryMs: {
    env: "ACK_EVERY_MS",
    default: 100,
    min: 1,
    max: 10_000,
    int: true,
    doc: "The region acknowledges at least this often while batches arrive, ms.",
  },
  ackEveryBatches: { env: "ACK_EVERY_BATCHES", default: 32, min: 1, max: 10_000, int: true, doc: "… or after this many batches." },
  resendMaxMs: {
    env: "RESEND_MAX_MS",
    formerly: "REPLAY_MAX_MS",
    default: 5000,
    min: 100,
    max: 600_000,
    int: true,
    doc: "Unacknowledged batches a gateway link keeps for resending, at most this old, ms (formerly REPLAY_MAX_MS, still read).",
  },
  resendMaxBytes: {
    env: "RESEND_MAX_BYTES",
    formerly: "REPLAY_MAX_BYTES",
    default: 4 * 1024 * 1024,
    min: 1024,
    max: 1 << 30,
    int: true,
    doc: "… and at most this many bytes.",
  },

  advisoryClimbRateMps: {
    env: "ADVISORY_CLIMB_RATE_MPS",
    default: 2,
    min: 0.1,
    max: 50,
    doc: "Vertical speed a climb/descend advisory assumes (and asks for), m/s.",
  },
  advisoryTurnRateDps: { env: "ADVISORY_TURN_RATE_DPS", default: 15, min: 1, max: 180, doc: "Turn rate a turn advisory assumes, degrees per second." },

  lostAfterMs: { env: "LOST_AFTER_MS", default: 3000, min: 100, max: 3_600_000, int: true, doc: "A drone unseen this long is `lost`, ms." },
  evictAfterMs: {
    env: "EVICT_AFTER_MS",
    default: 600_000,
    min: 1000,
    max: 7 * 86_400_000,
    int: true,
    doc: "A drone unseen this long is evicted from its region, ms.",
  },
  briefEvictAfterMs: {
    env: "BRIEF_EVICT_AFTER_MS",
    default: 60_000,
    min: 1000,
    max: 7 * 86_400_000,
    int: true,
    doc: "A home drone that never established itself (fewer than BRIEF_DRONE_POINTS = 3 points in the region, not restored) and is in no open encounter is evicted this long after it was last heard, not EVICT_AFTER_MS, and its stored events with it: an invented id goes soon (docs/security.md), ms.",
  },
  hubThresholdPerS: {
    env: "HUB_THRESHOLD_PER_S",
    default: 400,
    min: 1,
    max: 1_000_000,
    doc: "A region receiving more single-drone reports a second than this routes those links through ingest hubs (docs/scaling.md).",
  },
  hubMsgsPerS: {
    env: "HUB_MSGS_PER_S",
    default: 1000,
    min: 1,
    max: 1_000_000,
    doc: "Single-drone reports a second one ingest hub is given: K = ceil(rate / this).",
  },
  jumpCheckMps: {
    env: "JUMP_CHECK_MPS",
    default: 0,
    min: 0,
    max: 1e9,
    doc: "Speed implied between a drone's accepted reports above which a point is rejected as a jump, m/s; 0: MAX_SPEED_MPS; 1e9: no jump check (a replay of recordings at compressed time, npm run replay at --speed max).",
  },
  maxOperatingLat: {
    env: "MAX_OPERATING_LAT",
    default: 70,
    min: 0,
    max: 89,
    doc: "Points are accepted up to this latitude north and south, degrees; start-up checks the halo fits half a region cell there (cells narrow towards the poles).",
  },
  lowBatteryPct: { env: "LOW_BATTERY_PCT", default: 20, min: 0, max: 100, doc: "Battery percentage under which a return-to-home advisory is sent once." },
  lateNoticeMs: {
    env: "LATE_NOTICE_MS",
    default: 1000,
    min: 100,
    max: 600_000,
    int: true,
    doc: "Home points reaching their region later than this after measurement are counted and their link told the edge is behind, ms.",
  },
  auditRetentionDays: { env: "AUDIT_RETENTION_DAYS", default: 7, min: 0, max: 3650, doc: "Alert audit rows are kept this many days." },
  eventsMaxPerFleet: {
    env: "EVENTS_MAX_PER_FLEET",
    default: 100_000,
    min: 0,
    max: 100_000_000,
    int: true,
    doc: "Stored drone events (lost, recovered, low battery, evicted) one fleet may hold in a region; past it its oldest go first, counted as `eventsCapped` in the region's stats (0 = only AUDIT_RETENTION_DAYS bounds them).",
  },
  metricsRetentionH: { env: "METRICS_RETENTION_H", default: 24, min: 0, max: 24 * 365, doc: "Per-second metrics are kept locally this many hours." },
  trackSeconds: {
    env: "TRACK_SECONDS",
    default: 300,
    min: 0,
    max: 3600,
    int: true,
    doc: "Each home drone's track is kept in memory for the ops view, one sample a second, this many seconds (16 B a sample: 4.7 MiB per 1,000 drones at 300; 0 = off).",
  },
  eventsRetryBaseS: {
    env: "EVENTS_RETRY_BASE_S",
    default: 2,
    min: 0,
    max: 300,
    int: true,
    doc: "Event export: the first wait before a failed webhook delivery is retried, s; doubled each attempt up to 300 s (docs/operations.md).",
  },
  traceSampleRatio: {
    env: "TRACE_SAMPLE_RATIO",
    default: 1,
    min: 0,
    max: 1,
    doc: "With OTEL_EXPORTER_OTLP_ENDPOINT set: the share of gateway batches traced (each a trace of its own, with its region apply and alert spans); region ticks are sampled alike.",
  },
  chaos: {
    env: "CHAOS",
    default: 0,
    min: 0,
    max: 1,
    int: true,
    doc: "1: the fault-injection routes of `npm run chaos` (/v1/chaos/…, an all-fleets ops token) restart regions, fail their checkpoints and cut links. Refused at start-up unless AIRSPACE_ENV is local.",
  },
} as const satisfies Record<string, OptionSpec>;

/** A text setting: its variable, default and meaning (README's table); read by the code that uses it. */
export interface TextOptionSpec {
  env: string;
  default: string;
  doc: string;
}

/** The settings that are text, not numbers: the OpenTelemetry exporter's (src/tracing/tracing-settings.ts). */
export const TEXT_OPTIONS = {
  otlpEndpoint: {
    env: "OTEL_EXPORTER_OTLP_ENDPOINT",
    default: "",
    doc: "OTLP/HTTP base URL: when set, spans are exported as JSON to {this}/v1/traces (docs/operations.md, Traces); unset, tracing is off.",
  },
  otlpHeaders: {
    env: "OTEL_EXPORTER_OTLP_HEADERS",
    default: "",
    doc: "Headers for the exporter, `key=value,key2=value2`, values percent-encoded (an API key: set it as a secret).",
  },
  serviceName: { env: "OTEL_SERVICE_NAME", default: "airspace", doc: "The `service.name` of exported spans." },
} as const satisfies Record<string, TextOptionSpec>;
