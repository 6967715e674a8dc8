/**
 * What the server says, as the client library hands it out: one discriminated union of plain objects
 * (numbers, not bigints; names, not enum numbers), so apps and scripts need not touch generated code.
 */
import type { ManoeuvreOrNone } from "../wire/manoeuvres.js";
import type { ClientPoint } from "./wire.js";

/** Session parameters from the server's first frame. */
export interface WelcomeMessage {
  type: "welcome";
  sessionId: string;
  /** "drone" or "relay". */
  role: string;
  droneId: string;
  maxFrameBytes: number;
  maxPointsPerFrame: number;
  pointsPerSecond: number;
  burstPoints: number;
  batchWindowMs: number;
  conflictRadiusM: number;
  conflictHeightM: number;
  lookaheadS: number;
  serverTimeMs: number;
  /** Largest TelemetryStream drone table (0: only the token's own drone). */
  streamMaxDrones: number;
  /** Most drones one relay connection may carry (RELAY_MAX_DRONES; 0: not announced). */
  relayMaxDrones: number;
  /** The token's fleet: every drone id of this session is an id within it. */
  fleet: string;
  /** When the socket closes (4001) unless the token is renewed in-band, Unix ms (0: never). */
  expiresAtMs: number;
}

/** A renewal was accepted: the session now lives until `expiresAtMs`. */
export interface RenewedMessage {
  type: "renewed";
  expiresAtMs: number;
}

/** "traffic_lost": the other drone stopped reporting mid-encounter; not a clear (docs/protocol.md). */
export type AlertLevelName = "caution" | "warning" | "clear" | "traffic_lost" | "unspecified";
/** The advised manoeuvre, by its proto enum name (src/wire/manoeuvres.ts): "none", "climb", "turn_right", … */
export type ManoeuvreName = ManoeuvreOrNone;

/** A predicted loss of separation for `droneId` against `otherId` (see proto CollisionAlert). */
export interface AlertMessage {
  type: "alert";
  alertId: string;
  droneId: string;
  otherId: string;
  /** The other drone's fleet (otherId is an id within it). */
  otherFleet: string;
  level: AlertLevelName;
  tEntryS: number;
  tCpaS: number;
  hsepCpaM: number;
  vsepCpaM: number;
  /** The other drone's last reported state, or null when the server left it out. */
  other: ClientPoint | null;
  computedForMs: number;
  advisory: ManoeuvreName;
  /** With level "traffic_lost": how long ago the other drone was last heard, ms; else 0. */
  otherAgeMs: number;
  /** On an encounter's first alert: when the edge received the report that started it (Unix ms, gateway clock); else 0. */
  edgeReceivedMs: number;
}

export interface ErrorMessage {
  type: "error";
  /** ErrorCode enum name, e.g. "BAD_FRAME". */
  code: string;
  codeNumber: number;
  message: string;
  droneId: string;
  count: number;
}

export interface RateLimitMessage {
  type: "rateLimit";
  /** Empty when the whole connection was limited. */
  droneId: string;
  dropped: number;
  retryAfterMs: number;
}

export interface SessionCounters {
  frames: number;
  pointsReceived: number;
  pointsAccepted: number;
  pointsRejected: number;
  pointsRateLimited: number;
  pointsDeduped: number;
  alertsDelivered: number;
  pointsLost: number;
  /** Held back by the edge before acceptance while the drone's region shed load (error OVERLOADED). */
  pointsShed: number;
}

export interface PongMessage {
  type: "pong";
  nonce: number;
  serverTimeMs: number;
  counters: SessionCounters;
}

export interface AdvisoryMessage {
  type: "advisory";
  droneId: string;
  kind: "low-battery-rth" | "unspecified";
  message: string;
  timeMs: number;
}

/** A frame whose oneof this client version does not know (newer server): ignored, never an error. */
export interface UnknownMessage {
  type: "unknown";
}

export type ServerMessage = WelcomeMessage | AlertMessage | ErrorMessage | RateLimitMessage | PongMessage | AdvisoryMessage | RenewedMessage | UnknownMessage;
