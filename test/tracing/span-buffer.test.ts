// The span processor: bounded, batched, flushed only when the shell asks, and every span that does
// not reach the collector counted.
import { ROOT_CONTEXT } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import type { RecordingSpan } from "../../src/tracing/recording-span.js";
import { SpanBuffer, type SpanExporter } from "../../src/tracing/span-buffer.js";
import { RecordingTracerProvider } from "../../src/tracing/tracer.js";

class StubExporter implements SpanExporter {
  readonly calls: string[][] = [];
  answers: (boolean | Error)[] = [];
  async export(spans: readonly RecordingSpan[]): Promise<boolean> {
    this.calls.push(spans.map((s) => s.name));
    const a = this.answers.shift() ?? true;
    if (a instanceof Error) throw a;
    return a;
  }
}

function setup(maxSpans = 10, batchSpans = 4, flushEveryMs = 1000) {
  const exporter = new StubExporter();
  const buffer = new SpanBuffer(exporter, { maxSpans, batchSpans, flushEveryMs });
  const tracer = new RecordingTracerProvider(buffer, { sampleRatio: 1, now: () => 0, random: () => 0 }).getTracer("t");
  const end = (n: number, prefix = "s") => {
    for (let i = 0; i < n; i++) tracer.startSpan(`${prefix}${i}`, {}, ROOT_CONTEXT).end();
  };
  return { exporter, buffer, end };
}

describe("SpanBuffer", () => {
  it("exports nothing until flushed, then everything in batches, in order", async () => {
    const { exporter, buffer, end } = setup();
    end(6);
    expect(exporter.calls).toEqual([]);
    await buffer.flush(0);
    expect(exporter.calls).toEqual([
      ["s0", "s1", "s2", "s3"],
      ["s4", "s5"],
    ]);
    expect(buffer.stats).toMatchObject({ ended: 6, exported: 6, dropped: 0 });
    expect(buffer.pending).toBe(0);
  });

  it("says a flush is due for a full batch at once, for fewer only after flushEveryMs", async () => {
    const { buffer, end } = setup();
    expect(buffer.flushDue(0)).toBeNull(); // nothing waits
    end(1);
    await buffer.flushDue(0); // first ever: due
    end(1);
    expect(buffer.flushDue(500)).toBeNull(); // one span, 500 ms after the last flush
    end(3);
    const full = buffer.flushDue(600); // a full batch of 4
    expect(full).not.toBeNull();
    await full;
    end(1);
    expect(buffer.flushDue(1500)).toBeNull(); // 900 ms after the last
    expect(buffer.flushDue(1600)).not.toBeNull();
  });

  it("runs one flush at a time: a second call while one is in flight joins it", async () => {
    const { exporter, buffer, end } = setup();
    end(2);
    const a = buffer.flush(0);
    end(1);
    expect(buffer.flush(0)).toBe(a);
    expect(buffer.flushDue(10_000)).toBeNull();
    await a;
    expect(exporter.calls).toEqual([["s0", "s1"]]);
    expect(buffer.pending).toBe(1); // ended during the flush: the next one takes it
  });

  it("drops spans past the bound, counted, and keeps the ones it has", async () => {
    const { exporter, buffer, end } = setup(5);
    end(8);
    expect(buffer.stats).toMatchObject({ ended: 8, dropped: 3 });
    await buffer.flush(0);
    expect(exporter.calls.flat()).toEqual(["s0", "s1", "s2", "s3", "s4"]);
  });

  it("counts the rest of a flush dropped when an export is refused or throws, and never rejects", async () => {
    const { exporter, buffer, end } = setup();
    exporter.answers = [true, false];
    end(10);
    await buffer.flush(0);
    // batch 1 taken, batch 2 refused: it and batch 3 are dropped without a third request
    expect(exporter.calls).toHaveLength(2);
    expect(buffer.stats).toMatchObject({ exported: 4, dropped: 6, failedExports: 1 });
    exporter.answers = [new Error("network down")];
    end(2);
    await expect(buffer.flush(0)).resolves.toBeUndefined();
    expect(buffer.stats).toMatchObject({ exported: 4, dropped: 8, failedExports: 2 });
  });
});
