/**
 * Each fleet's limits: FLEET_MAX_DRONES and FLEET_MAX_REGIONS for every fleet, unless FLEET_QUOTAS
 * gives it its own, as JSON: `{"acme": {"drones": 500, "regions": 8}}` (a field left out keeps the
 * default; 0 = unlimited). Read by the gateway (a session's own bound and its error messages) and by
 * the fleet's quota object (which decides), from the same settings. A bad value is a configuration
 * error naming the variable, never a silent default.
 */
import { ConfigError, type Options } from "../config.js";
import { isFleetName } from "../wire/fleet-key.js";
import type { FleetLimits } from "./fleet-claim-protocol.js";

export type FleetQuotaTable = ReadonlyMap<string, Partial<FleetLimits>>;

function limit(v: unknown, where: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 10_000_000)
    throw new ConfigError(`FLEET_QUOTAS: ${where} must be an integer from 0 (unlimited) to 10000000, got ${JSON.stringify(v)}`);
  return v;
}

/** FLEET_QUOTAS as set (unset or empty: no fleet has its own). */
export function parseFleetQuotas(raw: unknown): FleetQuotaTable {
  const out = new Map<string, Partial<FleetLimits>>();
  if (raw === undefined || raw === null || raw === "") return out;
  let v: unknown;
  try {
    v = typeof raw === "string" ? JSON.parse(raw) : raw;
  } catch {
    throw new ConfigError('FLEET_QUOTAS must be JSON: {"fleet": {"drones": n, "regions": n}}');
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new ConfigError("FLEET_QUOTAS must be a JSON object keyed by fleet");
  for (const [fleet, q] of Object.entries(v)) {
    if (!isFleetName(fleet)) throw new ConfigError(`FLEET_QUOTAS: ${JSON.stringify(fleet)} is not a fleet name`);
    if (typeof q !== "object" || q === null || Array.isArray(q)) throw new ConfigError(`FLEET_QUOTAS: ${fleet} must map to {"drones": n, "regions": n}`);
    const entry: Partial<FleetLimits> = {};
    for (const [k, n] of Object.entries(q)) {
      if (k !== "drones" && k !== "regions") throw new ConfigError(`FLEET_QUOTAS: ${fleet}.${k} is not a quota (drones, regions)`);
      entry[k] = limit(n, `${fleet}.${k}`);
    }
    out.set(fleet, entry);
  }
  return out;
}

/** What `fleet` may use at once. */
export function fleetLimits(opts: Pick<Options, "fleetMaxDrones" | "fleetMaxRegions">, table: FleetQuotaTable, fleet: string): FleetLimits {
  const own = table.get(fleet);
  return { drones: own?.drones ?? opts.fleetMaxDrones, regions: own?.regions ?? opts.fleetMaxRegions };
}
