/**
 * The exporter's settings, from the OTEL_* variables (text, unlike the numeric options: both in
 * src/options-table.ts). An unset endpoint means tracing is off; a value that cannot be used fails
 * like any bad option, naming the variable.
 */
import { ConfigError } from "../config.js";
import { TEXT_OPTIONS } from "../options-table.js";
import { parseOtlpHeaders } from "./otlp-exporter.js";

export interface TracingSettings {
  endpoint: string;
  headers: Record<string, string>;
  serviceName: string;
  /** TRACE_SAMPLE_RATIO: share of new traces recorded. */
  sampleRatio: number;
}

function text(env: Record<string, unknown>, spec: { env: string; default: string }): string {
  const v = env[spec.env];
  return typeof v === "string" && v.trim() !== "" ? v.trim() : spec.default;
}

/** Null when OTEL_EXPORTER_OTLP_ENDPOINT is unset: tracing off. */
export function loadTracingSettings(env: Record<string, unknown>, sampleRatio: number): TracingSettings | null {
  const endpoint = text(env, TEXT_OPTIONS.otlpEndpoint);
  if (endpoint === "") return null;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ConfigError(`${TEXT_OPTIONS.otlpEndpoint.env} must be an http(s) URL, got ${JSON.stringify(endpoint)}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new ConfigError(`${TEXT_OPTIONS.otlpEndpoint.env} must be an http(s) URL, got ${JSON.stringify(endpoint)}`);
  const headers = parseOtlpHeaders(text(env, TEXT_OPTIONS.otlpHeaders));
  // The value may hold an API key: the message names the variable, never the value.
  if (!headers) throw new ConfigError(`${TEXT_OPTIONS.otlpHeaders.env} must be key=value pairs separated by commas, values percent-encoded`);
  return { endpoint, headers, serviceName: text(env, TEXT_OPTIONS.serviceName), sampleRatio };
}
