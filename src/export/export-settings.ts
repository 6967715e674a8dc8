/**
 * The event export's settings, strings like the credentials' (src/gateway/auth-settings.ts): where
 * events go (EVENTS_WEBHOOK_URL, a var) and the key that signs them (EVENTS_WEBHOOK_SECRET, a secret).
 * Export is on only when the URL is set and the Worker has its queue binding: otherwise nothing is
 * gathered at all. The URL must be https outside local runs, where a plain http loopback receiver
 * (a test's) is also accepted.
 */
import { environmentName, isDeployed } from "../config.js";
import { MIN_SECRET_BYTES } from "../tunables.js";

export interface ExportSettings {
  url: string;
  secret: string;
  environment: string;
}

export function loadExportSettings(env: Record<string, unknown>): ExportSettings {
  const str = (k: string) => (typeof env[k] === "string" ? (env[k] as string).trim() : "");
  return { url: str("EVENTS_WEBHOOK_URL"), secret: str("EVENTS_WEBHOOK_SECRET"), environment: str("AIRSPACE_ENV") };
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Why events cannot be delivered with these settings, or null when they can. */
export function webhookProblem(s: ExportSettings): string | null {
  if (s.url === "") return "EVENTS_WEBHOOK_URL is not set";
  let url: URL;
  try {
    url = new URL(s.url);
  } catch {
    return "EVENTS_WEBHOOK_URL is not a URL";
  }
  if (url.username || url.password) return "EVENTS_WEBHOOK_URL must not carry credentials (the signature authenticates)";
  const deployed = isDeployed(s.environment);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && !deployed && LOOPBACK.has(url.hostname)))
    return deployed
      ? `EVENTS_WEBHOOK_URL must be https in environment ${environmentName(s.environment)}`
      : "EVENTS_WEBHOOK_URL must be https (or http to a loopback address, locally)";
  if (s.secret === "") return "EVENTS_WEBHOOK_SECRET is not set: deliveries would be unsigned";
  if (deployed && new TextEncoder().encode(s.secret).length < MIN_SECRET_BYTES)
    return `EVENTS_WEBHOOK_SECRET is shorter than ${MIN_SECRET_BYTES} bytes in environment ${environmentName(s.environment)}`;
  return null;
}
