// The shells' handle: off costs nothing (no tracer), on it traces into its exporter; settings from
// the OTEL_* variables, refusing values that cannot be used with the variable's name.
import { ROOT_CONTEXT } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config.js";
import { InMemoryExporter } from "../../src/tracing/memory-exporter.js";
import { createTracing, Tracing, tracingFor, tracingFromSettings, useTracingForTests } from "../../src/tracing/tracing.js";
import { loadTracingSettings } from "../../src/tracing/tracing-settings.js";

describe("tracing settings", () => {
  it("are off without an endpoint", () => {
    expect(loadTracingSettings({}, 1)).toBeNull();
    expect(loadTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: "  " }, 1)).toBeNull();
    expect(tracingFromSettings(null)).toBe(Tracing.OFF);
    expect(Tracing.OFF.tracer("x")).toBeNull();
    expect(Tracing.OFF.flushDue(0)).toBeNull();
  });

  it("read the endpoint, headers and service name", () => {
    const s = loadTracingSettings(
      { OTEL_EXPORTER_OTLP_ENDPOINT: "https://c.example", OTEL_EXPORTER_OTLP_HEADERS: "x-key=s3cret", OTEL_SERVICE_NAME: "airspace-staging" },
      0.1,
    );
    expect(s).toEqual({ endpoint: "https://c.example", headers: { "x-key": "s3cret" }, serviceName: "airspace-staging", sampleRatio: 0.1 });
    expect(loadTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" }, 1)?.serviceName).toBe("airspace");
  });

  it("refuse values that cannot be used, naming the variable and never echoing a header value", () => {
    expect(() => loadTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: "not a url" }, 1)).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(() => loadTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: "ftp://x" }, 1)).toThrow(ConfigError);
    const bad = () => loadTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: "https://c", OTEL_EXPORTER_OTLP_HEADERS: "secretvalue" }, 1);
    expect(bad).toThrow(/OTEL_EXPORTER_OTLP_HEADERS/);
    expect(bad).not.toThrow(/secretvalue/);
  });
});

describe("Tracing", () => {
  it("traces into its exporter and counts what it exported", async () => {
    const exporter = new InMemoryExporter();
    const t = createTracing(exporter);
    t.tracer("s")!.startSpan("a", {}, ROOT_CONTEXT).end();
    await t.flush(0);
    expect(exporter.spans.map((s) => s.name)).toEqual(["a"]);
    expect(t.counters()).toEqual({ traceSpans: 1, traceSpansExported: 1, traceSpansDropped: 0 });
  });

  it("is one per environment, and a test's replaces it while set", () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" };
    const a = tracingFor(env, 1);
    expect(a.on).toBe(true);
    expect(tracingFor(env, 1)).toBe(a);
    expect(tracingFor({}, 1)).toBe(Tracing.OFF);
    const mine = createTracing(new InMemoryExporter());
    useTracingForTests(mine);
    expect(tracingFor({}, 1)).toBe(mine);
    useTracingForTests(null);
    expect(tracingFor({}, 1)).toBe(Tracing.OFF);
  });
});
