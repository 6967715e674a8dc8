/**
 * The region's spans (tracing on only: the object holds none otherwise). A live batch's apply
 * continues the gateway batch's trace from the traceparent in its envelope, since Workers do not
 * carry trace context into a Durable Object; each alert it sends is a child of that apply; the
 * one-second tick is a trace of its own, parent of the alerts it sends (traffic lost, clears).
 */
import { type Attributes, ROOT_CONTEXT, type Span, SpanKind, type Tracer, trace } from "@opentelemetry/api";
import type { AlertOut, RegionOutput } from "../detect/region-outputs.js";
import { ATTR, SPAN } from "../tracing/span-names.js";
import { contextFromTraceparent } from "../tracing/traceparent.js";

export class RegionSpans {
  constructor(
    private readonly tracer: Tracer,
    private readonly regionKey: string,
  ) {}

  apply(traceparent: string, linkId: string, seq: number, points: number): Span {
    const attributes = { [ATTR.region]: this.regionKey, [ATTR.linkId]: linkId, [ATTR.seq]: seq, [ATTR.points]: points };
    return this.tracer.startSpan(SPAN.regionApply, { kind: SpanKind.CONSUMER, attributes }, contextFromTraceparent(traceparent));
  }

  tick(): Span {
    return this.tracer.startSpan(SPAN.regionTick, { attributes: { [ATTR.region]: this.regionKey } }, ROOT_CONTEXT);
  }

  /** One alert sent to one home drone's link; `started`: the encounter's first alert (audited as a start). */
  alert(parent: Span, o: AlertOut, started: boolean): void {
    const attributes = {
      [ATTR.region]: this.regionKey,
      [ATTR.alertId]: o.alertId,
      [ATTR.level]: o.level,
      [ATTR.droneIds]: [o.droneId, o.otherId],
      [ATTR.manoeuvre]: o.manoeuvre,
      [ATTR.started]: started,
      [ATTR.linkId]: o.linkId,
    };
    this.tracer.startSpan(SPAN.regionAlert, { kind: SpanKind.PRODUCER, attributes }, trace.setSpan(ROOT_CONTEXT, parent)).end();
  }

  /** Ends an apply or tick span with what it produced. */
  finish(span: Span, outputs: readonly RegionOutput[], more?: Attributes): void {
    let alerts = 0;
    for (const o of outputs) if (o.kind === "alert") alerts++;
    span.setAttribute(ATTR.outputs, outputs.length);
    span.setAttribute(ATTR.alerts, alerts);
    if (more) span.setAttributes(more);
    span.end();
  }
}
