/**
 * What tracing costs a gateway batch when it is off (no OTEL_EXPORTER_OTLP_ENDPOINT): the batch's
 * trace context through BatchTrace (start → null, the link span's traceparent writer, end) against the
 * link span's writer alone, as every batch paid before tracing existed. ns per batch, medians of
 * alternated runs in one process. The region's side when off is a null test per batch and per alert.
 *   npx tsx scripts/bench/trace-off.ts [--batches 5000000]
 */
import { BatchTrace } from "../../src/gateway/batch-trace.js";
import { BatchSpans, newTraceId } from "../../src/link/trace.js";
import { commandLineOrExit, numberFlag } from "../lib/cli.mjs";
import { percentile } from "./stats.js";

const args = commandLineOrExit(process.argv.slice(2), {
  name: "trace-off",
  usage: "usage: npx tsx scripts/bench/trace-off.ts [--batches 5000000]",
  options: { batches: { type: "string" } },
} as const);
const N = numberFlag(args, "batches", 5_000_000, { min: 1, integer: true });
const RUNS = 6;
const traceId = newTraceId();

function nsPerBatch(batch: (i: number) => number): number {
  let sink = 0;
  const t = performance.now();
  for (let i = 0; i < N; i++) sink += batch(i);
  const ns = ((performance.now() - t) * 1e6) / N;
  return sink < 0 ? -1 : ns; // keeps the work live
}

const spans = new BatchSpans(traceId);
const before = (_i: number) => {
  const w = spans.nextWriter();
  return typeof w === "string" ? w.length : 1;
};
const trace = new BatchTrace(traceId, "u09t", "link-1");
const off = (i: number) => {
  const span = trace.start(i, 10, false);
  const w = trace.traceparentFor(span);
  trace.end(span, false);
  return typeof w === "string" ? w.length : 1;
};

nsPerBatch(before); // JIT warm-up, both
nsPerBatch(off);
const a: number[] = [];
const b: number[] = [];
for (let r = 0; r < RUNS; r++) {
  a.push(nsPerBatch(before));
  b.push(nsPerBatch(off));
}
const fmt = (xs: number[]) => `median ${percentile(xs, 50).toFixed(1)} ns (${xs.map((x) => x.toFixed(1)).join(", ")})`;
console.log(`link span only (before tracing):       ${fmt(a)}`);
console.log(`BatchTrace, tracing off (start/end):   ${fmt(b)}`);
