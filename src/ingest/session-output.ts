/** What a SessionCore is told about its client, and what each event makes it do. */
import type { Counters } from "../wire/counters.js";
import type { TelemetryPoint } from "../wire/point.js";

/** A batch for one region, with the counter deltas it carries there. */
export interface SessionBatch {
  regionKey: string;
  points: TelemetryPoint[];
  /** 1 where the point is a halo ghost for this region. */
  ghost: Uint8Array;
  counters: Counters;
  /** Flushed for a drone in proximity of another (see FlushedBatch.urgent). */
  urgent?: boolean;
  /** When each point reached the gateway, Unix ms (see FlushedBatch.receivedMs). */
  receivedMs: number[];
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

export function emptyOutput(): SessionOutput {
  return { toClient: [], batches: [], close: null, renew: null };
}
