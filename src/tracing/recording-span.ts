/**
 * A span that records: the api's `Span` over plain fields the exporters read once it has ended.
 * Bounded (attributes, events, links per span) so a caller in a loop cannot grow one without limit.
 */
import type { Attributes, AttributeValue, Exception, Link, Span, SpanAttributes, SpanContext, SpanKind, SpanStatus, TimeInput } from "@opentelemetry/api";
import { SpanStatusCode } from "@opentelemetry/api";

const MAX_ATTRIBUTES = 64;
const MAX_EVENTS = 32;
const MAX_LINKS = 16;

export interface SpanEventRecord {
  name: string;
  timeMs: number;
  attributes: Attributes;
}

/** Epoch milliseconds (fractions kept) from the api's TimeInput: a number is epoch ms, as Date.now() gives. */
export function epochMs(t: TimeInput | undefined, now: () => number): number {
  if (t === undefined) return now();
  if (typeof t === "number") return t;
  if (t instanceof Date) return t.getTime();
  return t[0] * 1000 + t[1] / 1e6;
}

/** Told when a span ends (the span processor). */
export interface SpanSink {
  onEnd(span: RecordingSpan): void;
}

export class RecordingSpan implements Span {
  readonly attributes: Attributes = {};
  readonly events: SpanEventRecord[] = [];
  readonly links: Link[] = [];
  status: SpanStatus = { code: SpanStatusCode.UNSET };
  endMs = Number.NaN;
  /** Attributes, events and links not kept (over the per-span bounds). */
  dropped = 0;
  private attributeCount = 0;

  constructor(
    public name: string,
    readonly kind: SpanKind,
    private readonly context: SpanContext,
    /** "" for a root span. */
    readonly parentSpanId: string,
    readonly startMs: number,
    /** The tracer's name (OTLP's instrumentation scope). */
    readonly scope: string,
    private readonly sink: SpanSink,
    private readonly now: () => number,
  ) {}

  get ended(): boolean {
    return !Number.isNaN(this.endMs);
  }

  spanContext(): SpanContext {
    return this.context;
  }

  setAttribute(key: string, value: AttributeValue | undefined): this {
    if (this.ended || value === undefined || value === null) return this;
    if (!(key in this.attributes)) {
      if (this.attributeCount >= MAX_ATTRIBUTES) {
        this.dropped++;
        return this;
      }
      this.attributeCount++;
    }
    this.attributes[key] = value;
    return this;
  }

  setAttributes(attributes: SpanAttributes): this {
    for (const k of Object.keys(attributes)) this.setAttribute(k, attributes[k]);
    return this;
  }

  addEvent(name: string, attributesOrStartTime?: SpanAttributes | TimeInput, startTime?: TimeInput): this {
    if (this.ended) return this;
    if (this.events.length >= MAX_EVENTS) {
      this.dropped++;
      return this;
    }
    const isTime = typeof attributesOrStartTime === "number" || attributesOrStartTime instanceof Date || Array.isArray(attributesOrStartTime);
    const attributes = isTime || attributesOrStartTime === undefined ? {} : { ...(attributesOrStartTime as SpanAttributes) };
    const at = isTime ? (attributesOrStartTime as TimeInput) : startTime;
    this.events.push({ name, timeMs: epochMs(at, this.now), attributes });
    return this;
  }

  addLink(link: Link): this {
    if (this.ended) return this;
    if (this.links.length >= MAX_LINKS) this.dropped++;
    else this.links.push(link);
    return this;
  }

  addLinks(links: Link[]): this {
    for (const l of links) this.addLink(l);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (!this.ended) this.status = { ...status };
    return this;
  }

  updateName(name: string): this {
    if (!this.ended) this.name = name;
    return this;
  }

  /** Ends the span once (later calls change nothing) and hands it to the processor. */
  end(endTime?: TimeInput): void {
    if (this.ended) return;
    this.endMs = Math.max(this.startMs, epochMs(endTime, this.now));
    this.sink.onEnd(this);
  }

  isRecording(): boolean {
    return !this.ended;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const e = typeof exception === "string" ? { message: exception } : exception;
    const attributes: SpanAttributes = {};
    if (e.name) attributes["exception.type"] = e.name;
    if (e.message) attributes["exception.message"] = e.message;
    if (e.stack) attributes["exception.stacktrace"] = e.stack;
    this.addEvent("exception", attributes, time);
  }
}
