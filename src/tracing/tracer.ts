/**
 * The api's Tracer and TracerProvider over RecordingSpan: a span's parent is the span of the context
 * it is started in (passed explicitly: Workers and Durable Objects have no context manager here, so
 * the api's active context is the root), a root span opens a trace of its own, and children follow
 * their parent's sampling decision (parent-based, as OTel's default sampler does).
 */
import {
  type Context,
  context as contextApi,
  isSpanContextValid,
  type Span,
  SpanKind,
  type SpanOptions,
  type Tracer,
  type TracerProvider,
  TraceFlags,
  trace,
} from "@opentelemetry/api";
import { epochMs, RecordingSpan, type SpanSink } from "./recording-span.js";
import { randomSpanId, randomTraceId } from "./span-ids.js";

export interface TracerSettings {
  /** Share of root spans (new traces) recorded, 0-1; children follow their parent's decision. */
  sampleRatio: number;
  /** Epoch ms (Date.now; in Workers it moves only across I/O, so spans of pure work last 0 ms). */
  now: () => number;
  /** A draw in [0, 1) for the sampler. */
  random: () => number;
}

export class RecordingTracer implements Tracer {
  constructor(
    private readonly scope: string,
    private readonly sink: SpanSink,
    private readonly settings: TracerSettings,
  ) {}

  startSpan(name: string, options: SpanOptions = {}, ctx: Context = contextApi.active()): Span {
    const parent = options.root ? undefined : trace.getSpanContext(ctx);
    const hasParent = parent !== undefined && isSpanContextValid(parent);
    const traceId = hasParent ? parent.traceId : randomTraceId();
    const sampled = hasParent ? (parent.traceFlags & TraceFlags.SAMPLED) !== 0 : this.settings.random() < this.settings.sampleRatio;
    const spanId = randomSpanId();
    // Not recorded: a span that only carries its context, so its children stay unrecorded too.
    if (!sampled) return trace.wrapSpanContext({ traceId, spanId, traceFlags: TraceFlags.NONE });
    const span = new RecordingSpan(
      name,
      options.kind ?? SpanKind.INTERNAL,
      { traceId, spanId, traceFlags: TraceFlags.SAMPLED },
      hasParent ? parent.spanId : "",
      epochMs(options.startTime, this.settings.now),
      this.scope,
      this.sink,
      this.settings.now,
    );
    if (options.attributes) span.setAttributes(options.attributes);
    if (options.links) span.addLinks(options.links);
    return span;
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, ctx: Context, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, a?: F | SpanOptions, b?: F | Context, c?: F): ReturnType<F> {
    const fn = (typeof a === "function" ? a : typeof b === "function" ? b : c) as F;
    const options = typeof a === "object" ? a : {};
    const parentCtx = typeof b === "object" ? b : contextApi.active();
    const span = this.startSpan(name, options, parentCtx);
    return contextApi.with(trace.setSpan(parentCtx, span), fn as (s: Span) => ReturnType<F>, undefined, span);
  }
}

export class RecordingTracerProvider implements TracerProvider {
  private readonly tracers = new Map<string, RecordingTracer>();

  constructor(
    private readonly sink: SpanSink,
    private readonly settings: TracerSettings,
  ) {}

  getTracer(name: string): RecordingTracer {
    let t = this.tracers.get(name);
    if (!t) {
      t = new RecordingTracer(name, this.sink, this.settings);
      this.tracers.set(name, t);
    }
    return t;
  }
}
