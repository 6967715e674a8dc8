/** Keeps every exported span in memory: for tests, which read the spans a run produced. */
import type { RecordingSpan } from "./recording-span.js";
import type { SpanExporter } from "./span-buffer.js";

export class InMemoryExporter implements SpanExporter {
  readonly spans: RecordingSpan[] = [];

  async export(spans: readonly RecordingSpan[]): Promise<boolean> {
    this.spans.push(...spans);
    return true;
  }

  reset(): void {
    this.spans.length = 0;
  }
}
