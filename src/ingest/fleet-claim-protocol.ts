/**
 * What a session and its fleet's quota object say to each other (docs/security.md, per-fleet quotas).
 * A claim names drones (fleet keys) and regions the session has begun to use; a full claim names all
 * it uses now, renews their leases and gives back the rest (an empty full claim gives back everything,
 * at the session's end). The reply names what the fleet refused: the session stops admitting those.
 */

/** What a fleet may use at once, across all its sessions; 0 = unlimited. */
export interface FleetLimits {
  drones: number;
  regions: number;
}

export interface ClaimRequest {
  fleet: string;
  session: string;
  /** True: `drones` and `regions` are everything the session uses; what it held and did not name is released. */
  full: boolean;
  drones: string[];
  regions: string[];
}

export interface ClaimReply {
  refusedDrones: string[];
  refusedRegions: string[];
  /** What the fleet holds after the claim, for logs and tests. */
  drones: number;
  regions: number;
}

/** Longest list one claim may carry: a session holds at most its fleet's limit, and a limit this big is unlimited in practice. */
const MAX_CLAIM_ITEMS = 1_000_000;
const MAX_NAME = 200;

function names(x: unknown): string[] | null {
  if (!Array.isArray(x) || x.length > MAX_CLAIM_ITEMS) return null;
  for (const s of x) if (typeof s !== "string" || s.length === 0 || s.length > MAX_NAME) return null;
  return x as string[];
}

/** A claim as the object received it, or null when it is not one (the object answers it with an error). */
export function parseClaim(x: unknown): ClaimRequest | null {
  if (typeof x !== "object" || x === null) return null;
  const r = x as Record<string, unknown>;
  const drones = names(r.drones);
  const regions = names(r.regions);
  if (typeof r.fleet !== "string" || r.fleet === "" || typeof r.session !== "string" || r.session === "") return null;
  if (typeof r.full !== "boolean" || drones === null || regions === null) return null;
  return { fleet: r.fleet, session: r.session, full: r.full, drones, regions };
}
