/**
 * W3C trace context for batches. Workers' built-in tracing does not carry trace context from a Worker
 * into a Durable Object (PLATFORM.md), so each gateway session starts a trace and every batch it
 * flushes carries a `traceparent` of its own span in the batch envelope.
 */
import { isSpanContextValid, TraceFlags, type SpanContext } from "@opentelemetry/api";

function randomHex(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  let s = "";
  for (let i = 0; i < b.length; i++) s += b[i]!.toString(16).padStart(2, "0");
  return s;
}

export function newTraceId(): string {
  let id = randomHex(16);
  while (/^0+$/.test(id)) id = randomHex(16); // all-zero ids are invalid (W3C trace-context §3.2.2.3)
  return id;
}

/** A child span of the session's trace, formatted as a `traceparent` header value. */
export function batchTraceparent(traceId: string): string {
  const ctx: SpanContext = { traceId, spanId: randomHex(8), traceFlags: TraceFlags.SAMPLED };
  if (!isSpanContextValid(ctx)) return "";
  return `00-${ctx.traceId}-${ctx.spanId}-0${ctx.traceFlags.toString(16)}`;
}

/** Parses a traceparent back into a span context (null when absent or malformed). */
export function parseTraceparent(tp: string): SpanContext | null {
  const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(tp);
  if (!m) return null;
  const ctx: SpanContext = { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16) };
  return isSpanContextValid(ctx) ? ctx : null;
}
