// Traces end to end inside workerd: with an in-memory exporter swapped in (the test hook of
// src/tracing/tracing.ts), one encounter between two drone sockets yields the chain
// gateway.batch → region.apply (same trace, parent = the batch span, through the batch's
// traceparent) → region.alert for that encounter; and the region's tick flushes spans itself.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { BatchTrace } from "../../src/gateway/batch-trace.js";
import { regionOf } from "../../src/geo/regions.js";
import { newTraceId } from "../../src/link/trace.js";
import type { RegionObject } from "../../src/region/region-object.js";
import { InMemoryExporter } from "../../src/tracing/memory-exporter.js";
import type { RecordingSpan } from "../../src/tracing/recording-span.js";
import { ATTR, SPAN } from "../../src/tracing/span-names.js";
import { createTracing, useTracingForTests } from "../../src/tracing/tracing.js";
import { parseTraceparent } from "../../src/tracing/traceparent.js";
import { connect, droneAt, eventually, token } from "../helpers/client.js";

afterEach(() => useTracingForTests(null));

describe("traces", () => {
  it("chain one encounter: gateway batch → region apply → alert", async () => {
    const exporter = new InMemoryExporter();
    const tracing = createTracing(exporter);
    useTracingForTests(tracing);
    const lat = 41.9; // Rome's cell: a region object no other test builds (its tracer is fixed at construction)
    const lon = 12.5;
    const key = regionOf(lat, lon, 4);
    const a = await connect(await token("tr-a"));
    const b = await connect(await token("tr-b"));
    const t0 = Date.now();
    // Head-on, 100 m apart, closing at 20 m/s: a caution.
    a.send([droneAt("tr-a", lat, lon, -50, 0, 10, 0, t0)]);
    b.send([droneAt("tr-b", lat, lon, 50, 0, -10, 0, t0)]);
    const first = await a.waitFor((f) => f.kind.case === "alert", 5000, "the alert");
    const alertId = first.kind.case === "alert" ? first.kind.value.alertId : "";
    await b.waitFor((f) => f.kind.case === "alert" && f.kind.value.alertId === alertId, 5000, "the other side's alert");

    // The region's tick flushes what the region recorded (not awaited by the alarm: polled here).
    await runDurableObjectAlarm(env.REGION.get(env.REGION.idFromName(key)));
    await eventually(() => exporter.spans.some((s) => s.name === SPAN.regionTick), 5000, "the tick's flush");
    await tracing.flush(Date.now()); // and the gateway's batches, whatever its sessions flushed already
    const spans = exporter.spans;
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const parentOf = (s: RecordingSpan) => byId.get(s.parentSpanId);

    const alerts = spans.filter((s) => s.name === SPAN.regionAlert && s.attributes[ATTR.alertId] === alertId);
    // The encounter's start, once to each home drone's link.
    expect(alerts.map((s) => [...(s.attributes[ATTR.droneIds] as string[])].sort().join("+"))).toContain("test/tr-a+test/tr-b");
    const started = alerts.filter((s) => s.attributes[ATTR.started] === true);
    expect(started.length).toBe(2);
    for (const alert of started) {
      expect(alert.attributes).toMatchObject({ [ATTR.region]: key, [ATTR.level]: "caution" });
      const apply = parentOf(alert);
      expect(apply?.name, "the alert's parent").toBe(SPAN.regionApply);
      const batch = parentOf(apply!);
      expect(batch?.name, "the apply's parent").toBe(SPAN.gatewayBatch);
      // One trace from the gateway batch to the alert, carried across the hop by the batch's traceparent.
      const traceId = batch!.spanContext().traceId;
      expect(apply!.spanContext().traceId).toBe(traceId);
      expect(alert.spanContext().traceId).toBe(traceId);
      expect(batch!.parentSpanId).toBe(""); // each batch is a trace of its own
      // The same batch on both sides of the hop.
      expect(apply!.attributes[ATTR.linkId]).toBe(batch!.attributes[ATTR.linkId]);
      expect(apply!.attributes[ATTR.seq]).toBe(batch!.attributes[ATTR.seq]);
      // Each drone's one point is its link's first batch, which waits for the region's hello: held.
      expect(batch!.attributes).toMatchObject({ [ATTR.region]: key, [ATTR.points]: 1, [ATTR.seq]: 1, [ATTR.held]: true });
      expect(apply!.attributes).toMatchObject({ [ATTR.region]: key, [ATTR.points]: 1 });
      expect(apply!.attributes[ATTR.alerts]).toBeGreaterThanOrEqual(1);
      expect(apply!.endMs).toBeGreaterThanOrEqual(apply!.startMs);
    }
    // The two starts went to different links (one per home drone), from the batch that completed the pair.
    expect(new Set(started.map((s) => s.attributes[ATTR.linkId])).size).toBe(2);
    expect(new Set(started.map((s) => s.parentSpanId)).size).toBe(1);

    const tick = spans.find((s) => s.name === SPAN.regionTick && s.attributes[ATTR.region] === key);
    expect(tick?.attributes[ATTR.drones]).toBe(2);
    const stats = await runInDurableObject(env.REGION.get(env.REGION.idFromName(key)), (o: RegionObject) => o.stats);
    expect(stats.points).toBeGreaterThanOrEqual(2);
    expect(tracing.counters().traceSpansDropped).toBe(0);
    a.close();
    b.close();
  });

  it("off, a batch builds no span and carries a child of its session's trace; on, its traceparent names its span", () => {
    const sessionTrace = newTraceId();
    const off = new BatchTrace(sessionTrace, "sr2y", "link-1");
    expect(off.start(1, 10, false)).toBeNull();
    expect(parseTraceparent(off.traceparent(null))?.traceId).toBe(sessionTrace);
    off.end(null, false); // nothing to end

    const exporter = new InMemoryExporter();
    const on = new BatchTrace(sessionTrace, "sr2y", "link-1");
    on.tracer = createTracing(exporter).tracer("t");
    const span = on.start(7, 10, true)!;
    const tp = parseTraceparent(on.traceparent(span))!;
    expect(tp.spanId).toBe(span.spanContext().spanId);
    expect(tp.traceId).not.toBe(sessionTrace); // a trace of its own
    expect(span.isRecording()).toBe(true);
    on.end(span, false);
    expect(span.isRecording()).toBe(false);
  });
});
