/**
 * A fleet's quota, as its Durable Object keeps it (src/fleet/fleet-quota.ts): which sessions hold which
 * drones and regions, each session's leases lapsing FLEET_LEASE_MS after its last claim. A drone or
 * region counts once however many sessions hold it (a drone handed from one relay to another, a region
 * two relays send to), and a session that died without a word stops counting when its leases lapse.
 * Pure: the caller passes the limits, the lease length and the clock.
 */
import { FLEET_SWEEP_MS } from "../tunables.js";
import type { ClaimReply, ClaimRequest, FleetLimits } from "./fleet-claim-protocol.js";

/** One kind of item (drones or regions): how many live sessions hold each. */
class Holdings {
  private readonly holders = new Map<string, number>();

  get size(): number {
    return this.holders.size;
  }

  has(item: string): boolean {
    return this.holders.has(item);
  }

  /** One more session holds `item`: granted when another already does or the fleet is under `max` (0: no limit). */
  take(item: string, max: number): boolean {
    const n = this.holders.get(item);
    if (n !== undefined) this.holders.set(item, n + 1);
    else if (max > 0 && this.holders.size >= max) return false;
    else this.holders.set(item, 1);
    return true;
  }

  drop(item: string): void {
    const n = this.holders.get(item) ?? 0;
    if (n <= 1) this.holders.delete(item);
    else this.holders.set(item, n - 1);
  }

  /** Sessions holding `item` (for tests). */
  count(item: string): number {
    return this.holders.get(item) ?? 0;
  }
}

interface SessionLease {
  expiresAtMs: number;
  drones: Set<string>;
  regions: Set<string>;
}

export class FleetLeases {
  readonly drones = new Holdings();
  readonly regions = new Holdings();
  private readonly sessions = new Map<string, SessionLease>();
  private lastSweepMs = -Infinity;

  /** Sessions with live leases. */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** What `req`'s session may use now; every lease it keeps runs until nowMs + leaseMs. */
  claim(req: ClaimRequest, limits: FleetLimits, leaseMs: number, nowMs: number): ClaimReply {
    if (nowMs - this.lastSweepMs >= FLEET_SWEEP_MS) this.sweep(nowMs);
    let s = this.sessions.get(req.session);
    if (!s) {
      s = { expiresAtMs: 0, drones: new Set(), regions: new Set() };
      this.sessions.set(req.session, s);
    }
    s.expiresAtMs = nowMs + leaseMs;
    if (req.full) {
      this.release(s.drones, new Set(req.drones), this.drones);
      this.release(s.regions, new Set(req.regions), this.regions);
    }
    const refusedDrones = this.grant(s.drones, req.drones, this.drones, limits.drones, nowMs);
    const refusedRegions = this.grant(s.regions, req.regions, this.regions, limits.regions, nowMs);
    if (s.drones.size === 0 && s.regions.size === 0) this.sessions.delete(req.session);
    return { refusedDrones, refusedRegions, drones: this.drones.size, regions: this.regions.size };
  }

  /** Forgets every session whose leases lapsed by `nowMs`; returns how many. */
  sweep(nowMs: number): number {
    this.lastSweepMs = nowMs;
    let n = 0;
    for (const [id, s] of this.sessions) {
      if (s.expiresAtMs > nowMs) continue;
      for (const d of s.drones) this.drones.drop(d);
      for (const r of s.regions) this.regions.drop(r);
      this.sessions.delete(id);
      n++;
    }
    return n;
  }

  /** Whether `session` holds `item` of the kind (for tests). */
  holds(session: string, kind: "drones" | "regions", item: string): boolean {
    return this.sessions.get(session)?.[kind].has(item) ?? false;
  }

  private release(held: Set<string>, keep: ReadonlySet<string>, all: Holdings): void {
    for (const item of held) {
      if (keep.has(item)) continue;
      held.delete(item);
      all.drop(item);
    }
  }

  /** Grants what fits, in the order asked; a refusal is final only after lapsed sessions were forgotten. */
  private grant(held: Set<string>, asked: readonly string[], all: Holdings, max: number, nowMs: number): string[] {
    const refused: string[] = [];
    for (const item of asked) {
      if (held.has(item)) continue;
      let ok = all.take(item, max);
      if (!ok && this.lastSweepMs < nowMs) {
        this.sweep(nowMs);
        ok = all.take(item, max);
      }
      if (ok) held.add(item);
      else refused.push(item);
    }
    return refused;
  }
}
