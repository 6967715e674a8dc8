/**
 * W3C trace context for batches. Workers' built-in tracing does not carry trace context from a Worker
 * into a Durable Object (docs/platform.md), so each gateway session starts a trace and every batch it
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

/**
 * The `traceparent`s of one link's batches, child spans of the session's trace. A span id is a random
 * 4-byte prefix per link and a counter: unique within the trace (never all zero, the counter starts at
 * 1) without a random draw, eight hex strings and a validity check per batch, which were 4 % of the
 * gateway's allocations per report (scripts/profile/heap-profile.ts). Empty for an invalid trace id.
 */
export class BatchSpans {
  private readonly head: string;
  private n = 0;

  constructor(traceId: string) {
    const ok = isSpanContextValid({ traceId, spanId: "0000000000000001", traceFlags: TraceFlags.SAMPLED });
    this.head = ok ? `00-${traceId}-${randomHex(4)}` : "";
  }

  next(): string {
    if (this.head === "") return "";
    this.n = (this.n + 1) >>> 0 || 1;
    return `${this.head}${this.n.toString(16).padStart(8, "0")}-01`;
  }
}

/** Parses a traceparent back into a span context (null when absent or malformed). */
export function parseTraceparent(tp: string): SpanContext | null {
  const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(tp);
  if (!m) return null;
  const ctx: SpanContext = { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16) };
  return isSpanContextValid(ctx) ? ctx : null;
}
