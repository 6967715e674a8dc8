import { maxHaloM } from "./geo/regions.js";
import { OPTIONS, type OptionSpec, TEXT_OPTIONS } from "./options-table.js";

export type Options = { -readonly [K in keyof typeof OPTIONS]: number };

type NumericKey = keyof Options;

export const DEFAULTS: Readonly<Options> = Object.freeze(
  Object.fromEntries((Object.keys(OPTIONS) as NumericKey[]).map((k) => [k, OPTIONS[k].default])) as Options,
);

/** A configuration value that cannot be used; the message names the variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** How messages name an environment: an unset AIRSPACE_ENV is a deployed one without a name. */
export function environmentName(environment: unknown): string {
  return typeof environment === "string" && environment !== "" ? environment : "(unset: deployed)";
}

/**
 * True unless AIRSPACE_ENV is exactly "local", which only local runs set (.dev.vars, the Miniflare
 * runner, the test pool): unset means deployed, so a bare `wrangler deploy` without `--env` cannot
 * ship a Worker that takes the example secret or CHAOS=1 (issue 11). Nothing meant for local runs
 * may be switched on where this is true.
 */
export function isDeployed(environment: unknown): boolean {
  return environment !== "local";
}

/** Every option with its env name, default and meaning, for the README's configuration table. */
export function describeOptions(): { key: NumericKey; env: string; default: number; doc: string }[] {
  return (Object.keys(OPTIONS) as NumericKey[]).map((key) => ({ key, env: OPTIONS[key].env, default: OPTIONS[key].default, doc: OPTIONS[key].doc }));
}

/** The text settings with their env name, default ("" shown as unset) and meaning, for the same table. */
export function describeTextOptions(): { env: string; default: string; doc: string }[] {
  return Object.values(TEXT_OPTIONS).map((o) => ({ env: o.env, default: o.default === "" ? "(unset)" : o.default, doc: o.doc }));
}

/**
 * Options from an env-like record (wrangler `[vars]` arrive as strings or numbers). Unset or empty
 * entries take the default; the halo default follows R, maxSpeed and T when HALO_M is unset.
 */
export function loadOptions(env: Record<string, unknown> = {}): Options {
  const out = { ...DEFAULTS } as Options;
  let haloSet = false;
  for (const key of Object.keys(OPTIONS) as NumericKey[]) {
    const spec: OptionSpec = OPTIONS[key];
    const raw = env[spec.env] ?? (spec.formerly === undefined ? undefined : env[spec.formerly]);
    if (raw === undefined || raw === null || raw === "") continue;
    const value = typeof raw === "number" ? raw : Number(String(raw).trim());
    if (!Number.isFinite(value)) throw new ConfigError(`${spec.env} must be a number, got ${JSON.stringify(raw)}`);
    if (value < spec.min || value > spec.max) throw new ConfigError(`${spec.env} must be between ${spec.min} and ${spec.max}, got ${value}`);
    if (spec.int && !Number.isInteger(value)) throw new ConfigError(`${spec.env} must be an integer, got ${value}`);
    out[key] = value;
    if (key === "haloM") haloSet = true;
  }
  // Two drones whose reports are up to the stale limit apart can conflict within T while their
  // reported positions are R + vmax·(2T + stale) apart: the halo must reach that far (docs/reliability.md).
  const minHalo = out.conflictRadiusM + out.maxSpeedMps * (2 * out.lookaheadS + out.staleAfterMs / 1000);
  if (!haloSet) out.haloM = minHalo;
  else if (out.haloM < minHalo)
    throw new ConfigError(
      `HALO_M must be at least CONFLICT_RADIUS_M + MAX_SPEED_MPS × (2 × LOOKAHEAD_S + STALE_AFTER_MS / 1000) = ${minHalo} m, or conflicts across a region border go unseen; got ${out.haloM}`,
    );
  const fits = maxHaloM(out.regionPrecision, out.maxOperatingLat);
  if (out.haloM > fits)
    throw new ConfigError(
      `HALO_M (${out.haloM} m) is wider than half a region cell at REGION_PRECISION ${out.regionPrecision} (${Math.floor(fits)} m at MAX_OPERATING_LAT ${out.maxOperatingLat}°): choose a coarser REGION_PRECISION, a lower MAX_OPERATING_LAT, or a smaller MAX_SPEED_MPS / LOOKAHEAD_S`,
    );
  // Fault injection restarts objects and cuts links on request: never where real drones fly.
  if (out.chaos === 1 && isDeployed(env.AIRSPACE_ENV))
    throw new ConfigError(`CHAOS=1 (fault injection) is for local runs only, refused in AIRSPACE_ENV ${environmentName(env.AIRSPACE_ENV)}`);
  if (out.warningTimeS > out.lookaheadS) throw new ConfigError(`WARNING_TIME_S (${out.warningTimeS}) must not exceed LOOKAHEAD_S (${out.lookaheadS})`);
  // A hovering drone reaches its region only through the dedupe refresh, which may then wait a batch
  // window: if that took the stale limit, the region would stop using the drone while it still
  // reports, and its conflicts would go unalerted on its side (issue 14). Half the limit leaves room
  // for one refresh arriving late. (A stretched point is provably far: batcher.ts has its own proof.)
  const refreshReachMs = out.dedupeRefreshMs + out.batchWindowMs;
  const staleLimitMs = Math.min(out.staleAfterMs, out.lookaheadS * 1000);
  // A point stamped F ahead still pairs with a drone reporting now only while F stays well inside the
  // stale limit (docs/security.md: the future-stamp takeover of issue 11).
  if (out.maxFutureMs * 2 >= staleLimitMs)
    throw new ConfigError(`MAX_FUTURE_MS (${out.maxFutureMs}) must stay under half the stale limit (${staleLimitMs} ms)`);
  if (refreshReachMs >= staleLimitMs / 2)
    throw new ConfigError(
      `DEDUPE_REFRESH_MS + BATCH_WINDOW_MS (${refreshReachMs} ms) must stay under half the stale limit min(STALE_AFTER_MS, LOOKAHEAD_S × 1000) (${staleLimitMs} ms), or a hovering drone goes stale in its region between its refreshes`,
    );
  return out;
}
