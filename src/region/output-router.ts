/**
 * Where the region core's outputs go: each one as a frame to the link carrying its drone (the alert
 * first, not waiting for its audit row's commit), alerts into the audit, and one log line per turn for
 * the encounters that started in it.
 */
import type { Span } from "@opentelemetry/api";
import type { RegionOutput } from "../detect/region-outputs.js";
import { log } from "../log.js";
import type { AlertAudit, StartedAlert } from "./alert-audit.js";
import type { LinkOutbox } from "./link-outbox.js";
import { outputFrame } from "./output-frames.js";
import type { RegionSpans } from "./region-spans.js";

export class OutputRouter {
  /** Outputs that could not be encoded: dropped one by one, never the object. */
  badOutputs = 0;
  /** Tracing on: each alert sent becomes a span under the apply or tick that produced it. */
  spans: RegionSpans | null = null;

  constructor(
    private readonly regionKey: string,
    private readonly outbox: LinkOutbox,
    private readonly audit: AlertAudit,
    /** Sees each turn's outputs after they went out (the ops stream's feed). */
    private readonly observe: (outputs: readonly RegionOutput[], nowMs: number) => void = () => {},
  ) {}

  /** `traceparent`: the batch that caused these outputs ("" at a tick); `span`: its apply (or the tick) span, tracing on. */
  route(outputs: readonly RegionOutput[], traceparent: string, nowMs: number, span: Span | null = null): void {
    const started: StartedAlert[] = [];
    for (const o of outputs) {
      try {
        const { data, key } = outputFrame(o, this.regionKey);
        this.outbox.send(o.linkId, data, key, nowMs);
        if (o.kind !== "alert") continue;
        const start = this.audit.record(o, nowMs);
        if (start) started.push(start);
        if (span !== null) this.spans?.alert(span, o, start !== null); // after the send: a span never delays an alert
      } catch (e) {
        this.badOutputs++;
        log("output dropped", { region: this.regionKey, kind: o.kind, error: String(e) }, "error");
      }
    }
    // One line per turn, not per alert: under load a line per start was a large share of the
    // region's CPU. The batch's trace context ties the starts to the gateway session and flush.
    if (started.length > 0) log("alerts started", { region: this.regionKey, traceparent, alerts: started });
    if (outputs.length > 0) this.observe(outputs, nowMs);
  }
}
