/**
 * A gateway link's next batch, encoded into the codec's reused buffer (src/wire/batch-scratch.ts)
 * through one reused description: a batch object per send was one of the gateway's larger allocations
 * per socket report (scripts/profile/heap-profile.ts). The link copies the bytes from there into its
 * resend buffer, and once more for the socket.
 */
import { encodeBatchToScratch, type OutgoingBatch, type TraceparentWriter } from "../wire/batch-codec.js";
import type { Counters } from "../wire/counters.js";
import type { TelemetryPoint } from "../wire/point.js";

const NO_POINTS: TelemetryPoint[] = [];
const NO_FLAGS = new Uint8Array(0);
const NO_COUNTERS = new Float64Array(0);

const draft: OutgoingBatch = {
  seq: 0,
  sentAtMs: 0,
  traceparent: "",
  counters: NO_COUNTERS,
  points: NO_POINTS,
  ghost: NO_FLAGS,
  urgent: false,
  receivedMs: undefined,
  alertLatencyMs: undefined,
};

/** Encodes the batch; returns its length (the first bytes of the codec's buffer, until the next encode). */
export function encodeLinkBatch(
  seq: number,
  sentAtMs: number,
  traceparent: string | TraceparentWriter,
  counters: Counters,
  points: TelemetryPoint[],
  ghost: Uint8Array,
  urgent: boolean,
  receivedMs: number[] | undefined,
  alertLatencyMs: readonly number[],
): number {
  draft.seq = seq;
  draft.sentAtMs = sentAtMs;
  draft.traceparent = traceparent;
  draft.counters = counters;
  draft.points = points;
  draft.ghost = ghost;
  draft.urgent = urgent;
  draft.receivedMs = receivedMs;
  draft.alertLatencyMs = alertLatencyMs;
  try {
    return encodeBatchToScratch(draft);
  } finally {
    // Nothing of the batch stays reachable from here.
    draft.traceparent = "";
    draft.counters = NO_COUNTERS;
    draft.points = NO_POINTS;
    draft.ghost = NO_FLAGS;
    draft.receivedMs = undefined;
    draft.alertLatencyMs = undefined;
  }
}
