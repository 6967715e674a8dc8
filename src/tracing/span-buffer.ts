/**
 * The span processor: ended spans wait in a bounded buffer and leave in batches when the shell
 * flushes (the gateway through waitUntil, the region on its tick), never on the path that ended them,
 * so an export can neither delay nor fail an alert. A full buffer or a failed export drops spans,
 * counted.
 */
import type { RecordingSpan, SpanSink } from "./recording-span.js";

/** Where batches of ended spans go; resolves true when the receiver took them. */
export interface SpanExporter {
  export(spans: readonly RecordingSpan[]): Promise<boolean>;
}

export interface BufferSettings {
  /** Spans held at most; more are dropped until a flush makes room. */
  maxSpans: number;
  /** Spans per export request. */
  batchSpans: number;
  /** A flush is due this long after the last one when anything waits, ms. */
  flushEveryMs: number;
}

export class SpanBuffer implements SpanSink {
  private spans: RecordingSpan[] = [];
  private inFlight: Promise<void> | null = null;
  private lastFlushMs = Number.NEGATIVE_INFINITY;
  readonly stats = { ended: 0, exported: 0, dropped: 0, failedExports: 0 };

  constructor(
    private readonly exporter: SpanExporter,
    private readonly settings: BufferSettings,
  ) {}

  onEnd(span: RecordingSpan): void {
    this.stats.ended++;
    if (this.spans.length >= this.settings.maxSpans) this.stats.dropped++;
    else this.spans.push(span);
  }

  get pending(): number {
    return this.spans.length;
  }

  /**
   * A flush if one is due now (a full batch waits, or anything waits and the last flush was
   * flushEveryMs ago), else null; null too while one is in flight.
   */
  flushDue(nowMs: number): Promise<void> | null {
    if (this.inFlight || this.spans.length === 0) return null;
    if (this.spans.length < this.settings.batchSpans && nowMs - this.lastFlushMs < this.settings.flushEveryMs) return null;
    return this.flush(nowMs);
  }

  /** Exports every span waiting now, in batches; one flush at a time (a second call joins the first). Never rejects. */
  flush(nowMs: number): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (this.spans.length === 0) return Promise.resolve();
    this.lastFlushMs = nowMs;
    const taken = this.spans;
    this.spans = [];
    this.inFlight = this.send(taken).finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async send(taken: RecordingSpan[]): Promise<void> {
    for (let i = 0; i < taken.length; i += this.settings.batchSpans) {
      const batch = taken.slice(i, i + this.settings.batchSpans);
      let ok = false;
      try {
        ok = await this.exporter.export(batch);
      } catch {
        ok = false;
      }
      if (ok) {
        this.stats.exported += batch.length;
        continue;
      }
      // The receiver is down or refusing: the rest of this flush would fare no better.
      this.stats.failedExports++;
      this.stats.dropped += taken.length - i;
      return;
    }
  }
}
