/**
 * The trace context of one link's batches. Tracing off (the default), a batch's traceparent is a
 * cheap child of the session's trace (src/link/trace.ts) and nothing else is built. Tracing on
 * (src/tracing/), each batch is a `gateway.batch` span, the root of a trace of its own (a session's
 * trace would grow for hours, past what tracing backends keep whole), and the traceparent names it,
 * so the region's apply span continues that trace.
 */
import { ROOT_CONTEXT, type Span, SpanKind, type Tracer } from "@opentelemetry/api";
import { BatchSpans } from "../link/trace.js";
import { ATTR, SPAN } from "../tracing/span-names.js";
import { formatTraceparent } from "../tracing/traceparent.js";
import type { TraceparentWriter } from "../wire/batch-codec.js";

export class BatchTrace {
  /** Set by the session when tracing is on. */
  tracer: Tracer | null = null;
  private readonly spans: BatchSpans;

  constructor(
    traceId: string,
    private readonly regionKey: string,
    private readonly linkId: string,
  ) {
    this.spans = new BatchSpans(traceId);
  }

  /** Batch `seq`'s span, or null when tracing is off (no span, no attribute object). */
  start(seq: number, points: number, urgent: boolean): Span | null {
    if (this.tracer === null) return null;
    const attributes = { [ATTR.region]: this.regionKey, [ATTR.linkId]: this.linkId, [ATTR.seq]: seq, [ATTR.points]: points, [ATTR.urgent]: urgent };
    return this.tracer.startSpan(SPAN.gatewayBatch, { kind: SpanKind.PRODUCER, attributes }, ROOT_CONTEXT);
  }

  traceparent(span: Span | null): string {
    return span === null ? this.spans.next() : formatTraceparent(span.spanContext());
  }

  /** The same as `traceparent`, for the batch encoder: tracing off, the link's span writes its own bytes (no string per batch). */
  traceparentFor(span: Span | null): string | TraceparentWriter {
    return span === null ? this.spans.nextWriter() : formatTraceparent(span.spanContext());
  }

  /** `held`: the link was (re)connecting, so the batch leaves with the resend after the region's hello. */
  end(span: Span | null, held: boolean): void {
    if (span === null) return;
    span.setAttribute(ATTR.held, held);
    span.end();
  }
}
