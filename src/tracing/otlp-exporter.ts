/**
 * OTLP/HTTP with JSON bodies: POST {endpoint}/v1/traces, as OTEL_EXPORTER_OTLP_ENDPOINT is defined
 * (the base URL; the signal's path is appended), with OTEL_EXPORTER_OTLP_HEADERS' headers. `fetch`
 * is given by the shell, so the core stays free of runtime APIs and tests pass a stub.
 */
import type { Attributes } from "@opentelemetry/api";
import { otlpTraceRequest } from "./otlp-json.js";
import type { RecordingSpan } from "./recording-span.js";
import type { SpanExporter } from "./span-buffer.js";

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal },
) => Promise<{ ok: boolean; status: number }>;

/** The traces URL for a base endpoint: `https://host/otlp` → `https://host/otlp/v1/traces`. */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, "")}/v1/traces`;
}

/**
 * OTEL_EXPORTER_OTLP_HEADERS: `k=v,k2=v2`, values percent-decoded (the spec's W3C-baggage-like
 * format). Null when an entry is not `key=value` or does not decode: the caller names the variable.
 */
export function parseOtlpHeaders(raw: string): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const entry of raw.split(",")) {
    if (entry.trim() === "") continue;
    const eq = entry.indexOf("=");
    if (eq <= 0) return null;
    const key = entry.slice(0, eq).trim();
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key)) return null; // an HTTP token (RFC 9110 §5.6.2)
    try {
      out[key.toLowerCase()] = decodeURIComponent(entry.slice(eq + 1).trim());
    } catch {
      return null;
    }
  }
  return out;
}

export class OtlpHttpExporter implements SpanExporter {
  private readonly url: string;

  constructor(
    endpoint: string,
    private readonly headers: Record<string, string>,
    private readonly resource: Attributes,
    private readonly fetch: FetchLike,
    private readonly timeoutMs: number,
  ) {
    this.url = tracesUrl(endpoint);
  }

  async export(spans: readonly RecordingSpan[]): Promise<boolean> {
    if (spans.length === 0) return true;
    const body = JSON.stringify(otlpTraceRequest(spans, this.resource));
    const res = await this.fetch(this.url, {
      method: "POST",
      headers: { ...this.headers, "content-type": "application/json" },
      body,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    return res.ok;
  }
}
