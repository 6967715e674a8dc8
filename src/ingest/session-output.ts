/** What a SessionCore is told about its client, and what each event makes it do. */
import type { Counters } from "../wire/counters.js";
import type { FlushedBatch } from "./batcher.js";

/** A batch for one region (the batcher's, see FlushedBatch), with the counter deltas it carries there. */
export interface SessionBatch extends FlushedBatch {
  counters: Counters;
}

/** What one event makes the session do, in order: frames to the client, batches to regions, maybe a close. */
export interface SessionOutput {
  toClient: Uint8Array[];
  batches: SessionBatch[];
  close: { code: number; reason: string } | null;
  /** A token the client sent to renew its credentials: the shell verifies it and calls onRenewal. */
  renew: string | null;
}

/**
 * Who the socket's token names: a drone sends only its own id; a relay drones of its fleet (all, or
 * those `drones` / `prefix` allow). `exp` (Unix s) ends the session unless renewed; absent: never.
 */
export interface SessionPrincipal {
  role: "drone" | "relay" | "ops";
  sub: string;
  fleet: string;
  exp?: number;
  drones?: readonly string[] | null;
  prefix?: string | null;
}

/** An output's lists until something goes in (most events have no frame for the client): shared, frozen. */
export const NO_FRAMES = Object.freeze([]) as unknown as Uint8Array[];
export const NO_BATCHES = Object.freeze([]) as unknown as SessionBatch[];

export function emptyOutput(): SessionOutput {
  return { toClient: NO_FRAMES, batches: NO_BATCHES, close: null, renew: null };
}
