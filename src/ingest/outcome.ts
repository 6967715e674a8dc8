/**
 * What a gateway stage did with a point or a frame, in one shape for every stage (validate, rate limit,
 * dedupe), so the session reads each verdict the same way and a counter follows from it. The shared
 * outcomes are frozen singletons: the hot path allocates nothing for the common case.
 */
import type { CounterName } from "../wire/counters.js";
import { CloseCode, type CloseCodeValue } from "../wire/close-codes.js";

export type RejectReason =
  | "drone_id"
  | "wrong_drone"
  | "latitude"
  | "longitude"
  | "altitude"
  | "speed"
  | "future"
  | "past"
  | "battery"
  /** Farther from the drone's previous accepted point than MAX_SPEED_MPS allows (ingest/plausibility.ts). */
  | "jump"
  /** Its regions would take the session past its region cap (ingest/region-cap.ts). */
  | "regions"
  /** Its drone, or one of its regions, would take the fleet past its quota (ingest/fleet-claims.ts). */
  | "fleet_drones"
  | "fleet_regions";
/** Why a point repeats what the region already has: same time (repeat), older (stale), or too close (near). */
export type DedupeReason = "near" | "repeat" | "stale" | "shed";
/**
 * Which bucket ran dry: the connection's frames, bytes, points (charged before they are built) or
 * pings, the drone's points, or the relay's drone count.
 */
export type LimitScope = "frames" | "bytes" | "points" | "pings" | "drone" | "drones";

export type Accepted = { readonly status: "accepted" };
export type Rejected = { readonly status: "rejected"; readonly reason: RejectReason; readonly droneId: string; readonly message: string };
export type Limited = { readonly status: "limited"; readonly by: LimitScope };
export type Deduped = { readonly status: "deduped"; readonly reason: DedupeReason; readonly counter: CounterName };
/** The client is abusive: the session closes with `code`. */
export type Closed = { readonly status: "closed"; readonly code: CloseCodeValue; readonly reason: string };

export const ACCEPTED: Accepted = Object.freeze({ status: "accepted" });

export const LIMITED: Readonly<Record<LimitScope, Limited>> = Object.freeze({
  frames: Object.freeze({ status: "limited", by: "frames" }),
  bytes: Object.freeze({ status: "limited", by: "bytes" }),
  points: Object.freeze({ status: "limited", by: "points" }),
  pings: Object.freeze({ status: "limited", by: "pings" }),
  drone: Object.freeze({ status: "limited", by: "drone" }),
  drones: Object.freeze({ status: "limited", by: "drones" }),
});

export const DEDUPED: Readonly<Record<Exclude<DedupeReason, "shed">, Deduped>> = Object.freeze({
  near: Object.freeze({ status: "deduped", reason: "near", counter: "dedupedNear" }),
  repeat: Object.freeze({ status: "deduped", reason: "repeat", counter: "dedupedRepeat" }),
  stale: Object.freeze({ status: "deduped", reason: "stale", counter: "dedupedStale" }),
});

/** Held back before acceptance for a region that sheds load (load-shed.ts): no duplicate, but counted as one of the filter's drops. */
export const SHED: Deduped = Object.freeze({ status: "deduped", reason: "shed", counter: "shed" });

export const CLOSED_ABUSE: Closed = Object.freeze({ status: "closed", code: CloseCode.POLICY, reason: "sustained rate far above the limit" });
