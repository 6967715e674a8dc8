/**
 * A deployed edge must not run on weak keys: the example secret of `.dev.vars.example` (anyone who read
 * the repository could mint tokens for it) or any HS256 secret shorter than 32 bytes (guessable
 * offline from one token). `AIRSPACE_ENV` names the environment: "staging" and "production" in
 * wrangler.toml's `[env.*]`, unset at its top (a bare `wrangler deploy` is deployed too), "local" only
 * where local runs set it (config.ts isDeployed). Outside "local" such a key is refused like a missing
 * one: 503 to every client, and a log line saying why (the client is told only "not_configured").
 */
import type { AuthSettings } from "./auth-settings.js";
import { MIN_SECRET_BYTES } from "../tunables.js";

import { environmentName, isDeployed } from "../config.js";

/** The secret `.dev.vars.example` ships (a unit test holds the two together). */
export const EXAMPLE_SECRET = "local-dev-secret-change-me";

/** Why this deployment must refuse clients, or null when its keys are fit for its environment. */
export function secretProblem(secret: string | undefined, environment: unknown, keysJson = ""): string | null {
  if (!secret && keysJson === "") return "the server has no AIRSPACE_JWT_SECRET and no AIRSPACE_JWT_KEYS";
  if (!isDeployed(environment)) return null;
  const where = `in environment ${environmentName(environment)}`;
  if (secret === EXAMPLE_SECRET) return `AIRSPACE_JWT_SECRET is the example secret of .dev.vars.example ${where} (a local run sets AIRSPACE_ENV=local)`;
  if (secret && new TextEncoder().encode(secret).length < MIN_SECRET_BYTES) return `AIRSPACE_JWT_SECRET is shorter than ${MIN_SECRET_BYTES} bytes ${where}`;
  return weakJwksKey(keysJson, where);
}

/** The settings' problem, if any (see secretProblem). */
export function settingsProblem(s: AuthSettings): string | null {
  return secretProblem(s.secret, s.environment, s.keys);
}

/** An oct key of the JWKS that is too short or the example secret; null when none is (or the JSON is not a JWKS: credentials.ts says so). */
function weakJwksKey(keysJson: string, where: string): string | null {
  if (keysJson === "") return null;
  let keys: unknown;
  try {
    keys = (JSON.parse(keysJson) as { keys?: unknown })?.keys;
  } catch {
    return null;
  }
  if (!Array.isArray(keys)) return null;
  for (const k of keys as { kty?: unknown; k?: unknown; kid?: unknown }[]) {
    if (k?.kty !== "oct" || typeof k.k !== "string") continue;
    const bytes = Math.floor((k.k.replace(/=+$/, "").length * 3) / 4);
    if (bytes < MIN_SECRET_BYTES) return `AIRSPACE_JWT_KEYS key ${String(k.kid)} is shorter than ${MIN_SECRET_BYTES} bytes ${where}`;
    if (k.k === base64urlOf(EXAMPLE_SECRET)) return `AIRSPACE_JWT_KEYS key ${String(k.kid)} is the example secret ${where}`;
  }
  return null;
}

function base64urlOf(s: string): string {
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
