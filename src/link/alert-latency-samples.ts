/**
 * Edge-side alert latency as a gateway link measures it (issue 9): when a frame it forwards to the
 * client is an encounter's first alert, the time since the edge received the report that started it.
 * The samples ride with the link's next batch into the region's metrics (batch-codec.ts, latency section).
 */
import { alertEdgeReceivedMs } from "../wire/alert-received.js";
import { MAX_LATENCY_SAMPLES } from "../wire/batch-codec.js";

const NONE: readonly number[] = Object.freeze([]);

export class AlertLatencySamples {
  private samples: number[] = [];

  /** `frame` went to the client at `nowMs`. Beyond MAX_LATENCY_SAMPLES between two batches, samples are not kept. */
  observe(frame: Uint8Array, nowMs: number): void {
    const receivedMs = alertEdgeReceivedMs(frame);
    if (receivedMs > 0 && this.samples.length < MAX_LATENCY_SAMPLES) this.samples.push(Math.max(0, nowMs - receivedMs));
  }

  /** The samples since the last call, for the batch leaving now. */
  take(): readonly number[] {
    if (this.samples.length === 0) return NONE;
    const s = this.samples;
    this.samples = [];
    return s;
  }
}
