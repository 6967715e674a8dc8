/**
 * The gateway's side of the fleet quota objects (src/fleet/fleet-quota.ts): each fleet's limits, read
 * once per isolate from FLEET_QUOTAS and the options, and one claim sent as an RPC to the fleet's
 * object, given up after FLEET_CLAIM_TIMEOUT_MS (the session then fails open: docs/security.md).
 */
import type { Options } from "../config.js";
import type { Env } from "../env.js";
import type { ClaimReply, ClaimRequest, FleetLimits } from "../ingest/fleet-claim-protocol.js";
import { type FleetQuotaTable, fleetLimits, parseFleetQuotas } from "../ingest/fleet-quotas.js";
import { FLEET_CLAIM_TIMEOUT_MS } from "../tunables.js";

const tables = new WeakMap<object, FleetQuotaTable>();

/** FLEET_QUOTAS of this deployment (a ConfigError when it is not valid). */
export function fleetQuotaTable(env: Env): FleetQuotaTable {
  let t = tables.get(env);
  if (!t) {
    t = parseFleetQuotas(env.FLEET_QUOTAS);
    tables.set(env, t);
  }
  return t;
}

export function limitsOf(env: Env, opts: Options, fleet: string): FleetLimits {
  return fleetLimits(opts, fleetQuotaTable(env), fleet);
}

/** Sends `req` to its fleet's object; rejects when the object fails or does not answer in time. */
export async function sendClaim(env: Env, req: ClaimRequest): Promise<ClaimReply> {
  const stub = env.FLEET.get(env.FLEET.idFromName(req.fleet));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${FLEET_CLAIM_TIMEOUT_MS} ms`)), FLEET_CLAIM_TIMEOUT_MS);
  });
  try {
    return (await Promise.race([stub.claim(req), late])) as ClaimReply;
  } finally {
    clearTimeout(timer);
  }
}
