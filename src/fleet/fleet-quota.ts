/**
 * A fleet's quota object: one Durable Object per fleet (keyed by its name) keeping which drones and
 * regions the fleet's sessions use (src/ingest/fleet-leases.ts), and refusing what would take the
 * fleet past FLEET_MAX_DRONES / FLEET_MAX_REGIONS (or its own FLEET_QUOTAS). Sessions claim new names
 * as they come and renew every third of FLEET_LEASE_MS; what is not renewed lapses.
 *
 * The leases live in memory only, on purpose: every live session renews within a third of a lease, so
 * an object that restarts has its table back within that time, and keeping every claim off storage
 * keeps it off the output gate (a claim is answered at once). Until then the fleet is counted short,
 * by what was not yet renewed: the quota is briefly loose, never stuck (docs/security.md).
 */
import { DurableObject } from "cloudflare:workers";
import { loadOptions } from "../config.js";
import type { Env } from "../env.js";
import { type ClaimReply, parseClaim } from "../ingest/fleet-claim-protocol.js";
import { FleetLeases } from "../ingest/fleet-leases.js";
import { fleetLimits, parseFleetQuotas } from "../ingest/fleet-quotas.js";

export class FleetQuota extends DurableObject<Env> {
  private readonly opts = loadOptions(this.env);
  private readonly quotas = parseFleetQuotas(this.env.FLEET_QUOTAS);
  private readonly leases = new FleetLeases();

  /** A session's claim (RPC from the gateway): what the fleet refused of it. */
  claim(raw: unknown): ClaimReply {
    const req = parseClaim(raw);
    if (!req) throw new TypeError("not a fleet claim");
    return this.leases.claim(req, fleetLimits(this.opts, this.quotas, req.fleet), this.opts.fleetLeaseMs, Date.now());
  }
}
