/**
 * The fixed numbers of the edge, in one place. An operator tunes what depends on the fleet through the
 * options (src/config.ts); these are fixed because they follow from the protocol, a proof or the
 * runtime rather than from a fleet, and each says why. Algorithm-internal constants (a grid pad, an
 * integration step) stay beside the code they belong to, and so do the link's reconnect backoff bounds
 * (src/link/backoff.ts), which the client library shares and must not pull server modules for.
 */

// ── Gateway: a client's socket ────────────────────────────────────────────────

/** Lowest and highest plausible altitude, m MSL: the Dead Sea shore to well above any drone ceiling. */
export const MIN_ALT_M = -500;
export const MAX_ALT_M = 20_000;
/** Longest drone id, UTF-8 bytes: ids are keys in every table and every alert; 64 fits any serial. */
export const MAX_ID_BYTES = 64;
/** Drone ids a relay token's `drones` allow-list may name: a token is a header, and a header is small. */
export const MAX_TOKEN_DRONES = 1000;
/** A token's `nbf` may lie this far ahead of the gateway's clock, s: issuers' clocks drift. */
export const NBF_LEEWAY_S = 30;
/** Shortest HS256 secret accepted outside local development, bytes: the hash's own size (RFC 7518 §3.2). */
export const MIN_SECRET_BYTES = 32;
/** Pings a connection may send per second, and in a burst: a keep-alive needs one every few seconds. */
export const PING_RATE_PER_S = 1;
export const PING_BURST = 5;
/**
 * Position noise a jump check forgives, m: a GPS fix wanders metres, and fixed-point time (1 ms) makes
 * a tiny dt amplify it. A point farther from its drone's previous accepted one than MAX_SPEED_MPS × dt
 * plus this is rejected (`jump`).
 */
export const JUMP_SLACK_M = 50;
/**
 * Points in a row too far from a drone's reference after which the last of them is accepted as its new
 * reference (the first JUMP_REANCHOR_AFTER - 1 are rejected): if the reference was the bad point, the
 * drone must not be locked out (docs/security.md).
 */
export const JUMP_REANCHOR_AFTER = 3;
/** A client offering more than this multiple of its limit is abusive (the product brief's 10×). */
export const ABUSE_FACTOR = 10;
/** Abuse is judged over windows of this length, ms: one rate-limit bucket refill period. */
export const ABUSE_WINDOW_MS = 1000;
/**
 * A calm window takes back this fraction of what an abusive one adds to the abuse score
 * (ingest/abuse-score.ts): a flood that pauses every other second still closes, an honest burst is
 * forgotten in a few seconds.
 */
export const ABUSE_FORGIVE_RATIO = 0.25;
/** At most one rate-limit notice per connection per this many ms: a notice must not become a flood itself. */
export const NOTICE_INTERVAL_MS = 1000;
/** Connection buckets hold this many seconds of their rate: a frame burst of one second is normal jitter. */
export const CONN_BURST_S = 1;
/**
 * Counter deltas normally ride on the next batch to their region (a reporting drone forwards a point
 * at least every DEDUPE_REFRESH_MS). Only counts left waiting this long, e.g. of a session whose points
 * are all rejected, get a counters-only batch of their own.
 */
export const COUNTERS_FLUSH_MS = 2000;
/**
 * Fields a client frame may hold per point of MAX_POINTS_PER_FRAME, known or not, each packed entry
 * counting one: a point's ten fields and its tag, and a spare for a newer client's field. Decoding
 * allocates per field (~100 B for every 2 bytes of a MiB of empty fields), so the count is checked
 * before anything is decoded (src/wire/frame-shape.ts).
 */
export const MAX_FIELDS_PER_POINT = 12;

/** A link's socket that brings no hello within this long starts over: nothing is sent before a hello. */
export const HELLO_TIMEOUT_MS = 3000;

// ── Fleet quotas (docs/security.md) ───────────────────────────────────────────

/**
 * Renewals per FLEET_LEASE_MS: a session renews its leases every third of their lifetime, so two
 * renewals can be lost (or the fleet's object restart) before a live session's drone lapses.
 */
export const FLEET_RENEWALS_PER_LEASE = 3;
/**
 * A claim the fleet's object has not answered within this long counts as unanswered: the session
 * admits on (fails open) and tries again at its next renewal. At most one claim per session is in
 * flight, so a slow object must not hold that one slot for good.
 */
export const FLEET_CLAIM_TIMEOUT_MS = 5000;
/**
 * A point refused by a fleet quota counts as this many points offered toward the abuse score
 * (ingest/abuse-score.ts): a client that keeps sending, at half its rate or more, only what it was
 * told its fleet may not send costs like a 10× flood and is closed like one; a relay with a few
 * refused drones among many stays far below.
 */
export const QUOTA_REFUSED_WEIGHT = 20;
/**
 * Refused drones or regions one session remembers per renewal period (ingest/fleet-claims.ts). Each
 * new name is admitted until the fleet's answer, so a client inventing names gets this many of them
 * through per period at most; past it, new names wait for the next renewal. Memory: a few hundred KiB.
 */
export const FLEET_MAX_REFUSED = 4096;
/** The fleet's object forgets lapsed sessions at most this often, and always before it refuses. */
export const FLEET_SWEEP_MS = 1000;

// ── Region object ─────────────────────────────────────────────────────────────

/** The region's tick (metrics, checkpoint, far verdicts): the one-second metrics contract. */
export const REGION_TICK_MS = 1000;
/** A far verdict outlives the next tick by this much, so a late alarm does not end a stretch early. */
export const VERDICT_SLACK_MS = 500;
/** How often a region tells the directory it is active: the directory only lists regions of the last hour. */
export const DIRECTORY_REPORT_MS = 60_000;
/** A region the directory has not heard from for this long is not listed as active. */
export const DIRECTORY_ACTIVE_MS = 3_600_000;
/** How often retention is applied to the region's tables: pruning is a scan, a minute is fine-grained enough. */
export const PRUNE_EVERY_MS = 60_000;
/**
 * A home drone with fewer points than this in its region (and not restored from a checkpoint, nor in
 * an open encounter) is brief: evicted BRIEF_EVICT_AFTER_MS after it goes silent, its stored events
 * with it. An invented id costs one point; a real drone reports at 1 Hz or faster (the stale limit needs
 * one every 3 s), so it passes this within seconds of its first report and keeps EVICT_AFTER_MS.
 */
export const BRIEF_DRONE_POINTS = 3;
/** How far back the audit is searched for encounters to re-open after a restart: alerts older are stale. */
export const RESTORE_ALERTS_MS = 60_000;
/**
 * How long a restored encounter waits for its drones to come back after a restart: longer than a
 * gateway takes to reconnect (backoff) and resend what the region had not acknowledged.
 */
export const RESTORE_WAIT_MS = 30_000;
/**
 * A link with no socket, silent this long, is forgotten (ledger entry and stored row). Link ids are fresh
 * each time a link opens, so only the same link reconnecting can come back, and by then its gateway has
 * given up every batch older than RESEND_MAX_MS: forgetting a few resend windows on cannot let a batch
 * be applied twice. Not an hour: a fleet reconnecting each minute kept 15,000 links a region (soak).
 */
export const LINK_FORGET_MS = 300_000;
/** … and never before this many resend windows (clock skew between gateway and region, slack). */
export const LINK_FORGET_RESENDS = 4;

// ── Detection ─────────────────────────────────────────────────────────────────

/** Grid cell side, m: about half the usual candidate radius (R + speeds × (T + lag) ≈ 150-300 m). */
export const REGION_GRID_CELL_M = 128;
/** While an encounter lasts, fresh numbers are re-sent at most this often, ms (one per tick). */
export const ALERT_REFRESH_MS = 1000;
/**
 * Clear hold, ms. An encounter is cleared only after the pair has been predicted clear continuously for
 * this long; a conflicting prediction inside the hold continues the same encounter (same alert id, no
 * new start). So a pair oscillating at the boundary yields at most one start and one clear per (hold +
 * one prediction) ≥ 1 s. Staleness, loss and eviction end an encounter at once.
 */
export const ALERT_CLEAR_HOLD_MS = 1000;
/**
 * Battery must climb this many points above `lowBatteryPct` before a new low-battery advisory can be
 * sent: a reading that flickers around the threshold (sag under load) must not re-advise.
 */
export const LOW_BATTERY_HYSTERESIS_PCT = 5;
/** Side of a congestion heatmap cell, m: a few conflict radii, the scale at which operators deconflict. */
export const HEATMAP_CELL_M = 100;
/** Heatmap cells reported per tick, busiest first: Analytics Engine takes at most 20 doubles a point. */
export const HEATMAP_TOP = 10;

// ── Ingest hubs ───────────────────────────────────────────────────────────────

/** A hub window closes early at this many batches: a bundle stays well under a WebSocket message's size. */
export const HUB_MAX_BATCHES = 512;
/** A link whose batches average at most this many points is a single-drone link (hub-routable). */
export const HUB_SMALL_BATCH_POINTS = 4;
/** The most hubs one region spreads its links over (the shard is `hash(drone) mod K`). */
export const HUB_MAX = 256;
/**
 * A single-drone link stays direct this long after its drone was last in proximity of another: a pair
 * drifting around 2R would otherwise switch paths (a reconnect and a resend) every few seconds.
 */
export const HUB_NEAR_HOLD_MS = 10_000;

/** JUMP_CHECK_MPS at or above this turns the jump check off: no drone flies a millionth of light speed. */
export const JUMP_CHECK_OFF_MPS = 1e9;

// ── Event export (src/export, docs/operations.md) ─────────────────────────────

/** Events a region holds for its queue at most: export must never grow a region's memory without bound. */
export const EXPORT_PENDING_MAX = 2000;
/** Messages per `sendBatch`: the Queues limit (100 messages, 256 KB; an event is well under 1 KB). */
export const EXPORT_SEND_BATCH_MAX = 100;
/** `sendBatch` calls a region has in flight at most; more events wait in the bounded buffer. */
export const EXPORT_SENDS_IN_FLIGHT = 4;
/** A webhook that has not answered in this long counts as a network error (retried), ms. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** The longest wait between two delivery attempts, s, and the cap of a webhook's Retry-After. */
export const RETRY_MAX_DELAY_S = 300;
/** A receiver refuses signatures further than this from its clock, s: a retry is signed afresh. */
export const SIGNATURE_TOLERANCE_S = 300;

// ── Tracing (src/tracing, docs/operations.md) ─────────────────────────────────

/** Ended spans an isolate holds for export at most (~0.5 KB each); more are dropped, counted, until a flush makes room. */
export const TRACE_BUFFER_SPANS = 4096;
/** Spans per OTLP export request: a few hundred KB of JSON, well under any collector's body limit. */
export const TRACE_EXPORT_SPANS = 512;
/**
 * A flush is due this long after the last, ms: every export is a subrequest of the request (gateway)
 * or object that sends it, so an isolate exports at most every 2 s unless a full batch waits.
 */
export const TRACE_FLUSH_MS = 2000;
/** An export that has not answered after this is abandoned (its spans counted dropped), ms. */
export const TRACE_EXPORT_TIMEOUT_MS = 10_000;

// ── Load shedding (src/detect/overload-gauge.ts, src/ingest/load-shed.ts) ─────

/**
 * Load shedding (issue 12, docs/reliability.md "Overload"): a region whose batches wait longer than
 * SHED_UP_MS at p90 over a second (gateway flush → applied) is behind and raises its shed level by one;
 * SHED_CALM_TICKS seconds under SHED_DOWN_MS lower it by one. Far above a healthy region's few ms and
 * the 50 ms window; well under the stale limit, which is where points stop being usable at all.
 */
export const SHED_UP_MS = 250;
export const SHED_DOWN_MS = 60;
export const SHED_CALM_TICKS = 3;
/**
 * What each shed level holds back, for drones that are not in proximity of another nor in a conflict
 * (never shed): the interval a hovering drone's refreshes are kept to (health: it says only "still
 * here"), and the interval a moving drone's positions are kept to (0: all kept). Level 1 sheds health
 * only; a moving drone's state stays within 500 ms of what it would be, and a hovering one's well
 * within the stale limit (STALE_AFTER_MS, 3 s by default).
 */
export const SHED_LEVELS: readonly { hoverMs: number; movingMs: number }[] = [
  { hoverMs: 0, movingMs: 0 },
  { hoverMs: 2000, movingMs: 0 },
  { hoverMs: 2000, movingMs: 200 },
  { hoverMs: 2500, movingMs: 500 },
];
/**
 * A gateway holds a region's shed level this long unless the region repeats it (every SHED_RETELL_TICKS
 * ticks while above 0), so a level outlives neither the overload nor the object that set it, ms.
 */
export const SHED_LEASE_MS = 5000;
export const SHED_RETELL_TICKS = 2;
/**
 * A gateway link's own backlog sheds too: how far its oldest unacknowledged batch has gone into the
 * resend window (by age or by bytes, whichever is further), from which each level (1, 2, 3) applies.
 * Past the window accepted points are lost (counted, DATA_LOSS); holding back first keeps a region that
 * stopped acknowledging (storage faults, a region or edge far behind, a region link that takes seconds
 * to open) from turning accepted points into lost ones. A healthy link's backlog is about one checkpoint
 * (~1 s), under the first step at the default 5 s window.
 */
export const BACKLOG_SHED_AT: readonly number[] = [0.4, 0.6, 0.8];
/**
 * A link whose oldest unacknowledged batch is younger than this has no backlog, whatever its bytes: the
 * region acks quiet links at its checkpoint (every REGION_TICK_MS), so a healthy link holds up to about
 * a second. Without it a short RESEND_MAX_MS (or a small RESEND_MAX_BYTES under a busy relay) would
 * have every healthy link shed all the time.
 */
export const BACKLOG_GRACE_MS = 1.5 * REGION_TICK_MS;
/** Below this ground + vertical speed a drone counts as hovering (its refreshes are health, not movement). */
export const SHED_HOVER_MPS = 0.5;
