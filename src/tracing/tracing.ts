/**
 * What a shell holds: tracers when tracing is on (null when off, so the hot paths test one field and
 * build no span or attribute object), and the flush it schedules itself (waitUntil, the tick). One
 * per isolate and environment, like the gateway's options; tests swap in one of their own.
 */
import type { Tracer } from "@opentelemetry/api";
import { log } from "../log.js";
import { TRACE_BUFFER_SPANS, TRACE_EXPORT_SPANS, TRACE_EXPORT_TIMEOUT_MS, TRACE_FLUSH_MS } from "../tunables.js";
import { type FetchLike, OtlpHttpExporter } from "./otlp-exporter.js";
import { type BufferSettings, SpanBuffer, type SpanExporter } from "./span-buffer.js";
import { RecordingTracerProvider, type TracerSettings } from "./tracer.js";
import { loadTracingSettings, type TracingSettings } from "./tracing-settings.js";

export interface TracingCounters {
  traceSpans: number;
  traceSpansExported: number;
  traceSpansDropped: number;
}

export class Tracing {
  /** Tracing off: no tracer, nothing to flush. */
  static readonly OFF = new Tracing(null, null);
  private reportedDrops = 0;

  constructor(
    private readonly provider: RecordingTracerProvider | null,
    private readonly buffer: SpanBuffer | null,
  ) {}

  get on(): boolean {
    return this.provider !== null;
  }

  /** The tracer for `scope`; null when tracing is off. */
  tracer(scope: string): Tracer | null {
    return this.provider?.getTracer(scope) ?? null;
  }

  /** A flush to hand to waitUntil when one is due (src/tracing/span-buffer.ts), else null. */
  flushDue(nowMs: number): Promise<void> | null {
    const p = this.buffer?.flushDue(nowMs);
    return p ? p.then(() => this.reportDrops()) : null;
  }

  /** Exports whatever waits now. Never rejects. */
  flush(nowMs: number): Promise<void> {
    return this.buffer ? this.buffer.flush(nowMs).then(() => this.reportDrops()) : Promise.resolve();
  }

  counters(): TracingCounters {
    const s = this.buffer?.stats;
    return { traceSpans: s?.ended ?? 0, traceSpansExported: s?.exported ?? 0, traceSpansDropped: s?.dropped ?? 0 };
  }

  /** One line per flush that dropped spans (a full buffer, a collector down), with the running totals. */
  private reportDrops(): void {
    const s = this.buffer!.stats;
    if (s.dropped === this.reportedDrops) return;
    log("trace spans dropped", { dropped: s.dropped - this.reportedDrops, droppedTotal: s.dropped, failedExports: s.failedExports }, "error");
    this.reportedDrops = s.dropped;
  }
}

export const DEFAULT_BUFFER: BufferSettings = { maxSpans: TRACE_BUFFER_SPANS, batchSpans: TRACE_EXPORT_SPANS, flushEveryMs: TRACE_FLUSH_MS };

/** Tracing into `exporter` (the OTLP one, or a test's in-memory one). */
export function createTracing(exporter: SpanExporter, tracer: Partial<TracerSettings> = {}, buffer: BufferSettings = DEFAULT_BUFFER): Tracing {
  const spans = new SpanBuffer(exporter, buffer);
  return new Tracing(new RecordingTracerProvider(spans, { sampleRatio: 1, now: Date.now, random: Math.random, ...tracer }), spans);
}

/** The response body is not wanted: cancelled, so the runtime does not hold the connection for it. */
const fetchAndDiscard: FetchLike = (url, init) =>
  fetch(url, init).then((r) => {
    void r.body?.cancel();
    return r;
  });

export function tracingFromSettings(s: TracingSettings | null, fetchFn: FetchLike = fetchAndDiscard): Tracing {
  if (!s) return Tracing.OFF;
  const exporter = new OtlpHttpExporter(s.endpoint, s.headers, { "service.name": s.serviceName }, fetchFn, TRACE_EXPORT_TIMEOUT_MS);
  return createTracing(exporter, { sampleRatio: s.sampleRatio });
}

const perEnv = new WeakMap<object, Tracing>();
let forTests: Tracing | null = null;

/**
 * The isolate's tracing for this environment (built on first use). Throws ConfigError for an
 * OTEL_* value that cannot be used.
 */
export function tracingFor(env: Record<string, unknown>, sampleRatio: number): Tracing {
  if (forTests) return forTests;
  let t = perEnv.get(env);
  if (!t) {
    t = tracingFromSettings(loadTracingSettings(env, sampleRatio));
    perEnv.set(env, t);
  }
  return t;
}

/** Tests: every shell built from now on traces into `t` (null: back to the environment's settings). */
export function useTracingForTests(t: Tracing | null): void {
  forTests = t;
}
