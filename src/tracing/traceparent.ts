/**
 * W3C `traceparent` (trace-context level 1) to and from the api's span context, and the parent
 * context a span started on the far side of a hop takes: Workers do not carry trace context into a
 * Durable Object (docs/platform.md), so batches carry it in their envelope.
 */
import { type Context, isSpanContextValid, ROOT_CONTEXT, type SpanContext, trace } from "@opentelemetry/api";

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** Parses a traceparent back into a span context (null when absent, malformed or all-zero). */
export function parseTraceparent(tp: string): SpanContext | null {
  const m = TRACEPARENT.exec(tp);
  if (!m) return null;
  const ctx: SpanContext = { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16) };
  return isSpanContextValid(ctx) ? ctx : null;
}

export function formatTraceparent(sc: SpanContext): string {
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, "0")}`;
}

/** The context whose (remote) span is the one `tp` names; the root context when `tp` names none. */
export function contextFromTraceparent(tp: string): Context {
  const sc = parseTraceparent(tp);
  return sc ? trace.setSpanContext(ROOT_CONTEXT, { ...sc, isRemote: true }) : ROOT_CONTEXT;
}
