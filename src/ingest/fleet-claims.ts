/**
 * One session's side of its fleet's quotas (FLEET_MAX_DRONES, FLEET_MAX_REGIONS): a drone or region new
 * to the session is admitted at once (a drone's first alert never waits for a round trip) and claimed
 * from the fleet's quota object in the next request: at most one in flight, so new names coalesce.
 * What the fleet refuses is refused here from then on, until a renewal finds room for it again. Every
 * third of FLEET_LEASE_MS the session renews what it used since the last renewal (a full claim), which
 * gives back what it no longer uses. When the object does not answer, the session fails open: it goes
 * on admitting, and tries again at the next renewal. Pure; the shell carries the requests.
 */
import { FLEET_MAX_REFUSED, FLEET_RENEWALS_PER_LEASE } from "../tunables.js";
import type { ClaimReply, FleetLimits } from "./fleet-claim-protocol.js";

/** A claim for the shell to send (it adds the fleet and the session's id). */
export interface ClaimDraft {
  full: boolean;
  drones: string[];
  regions: string[];
}

/** One kind of item (drones or regions) as one session uses it. */
export class ClaimSet {
  /** In use, granted or not yet answered: item → the renewal period it was last used in. */
  private readonly held = new Map<string, number>();
  /** Refused by the fleet: item → the period it was last offered in (offered again: claimed at the renewal). */
  private readonly refused = new Map<string, number>();
  private pending: string[] = [];
  private period = 0;

  /** `max`: the fleet's limit (0: none, nothing is tracked). */
  constructor(readonly max: number) {}

  /**
   * Whether a point may use `item` now: in use, or new with room for it. The session alone never holds
   * more than the fleet may, nor remembers more than FLEET_MAX_REFUSED refusals: a client inventing
   * names is refused here without asking anyone, until the next renewal makes room.
   */
  allows(item: string): boolean {
    if (this.max === 0 || this.held.has(item)) return true;
    if (this.refused.has(item)) {
      this.refused.set(item, this.period);
      return false;
    }
    return this.held.size < this.max && this.refused.size < FLEET_MAX_REFUSED;
  }

  /** A point used `item` (after allows() said yes). */
  use(item: string): void {
    if (this.max === 0) return;
    const p = this.held.get(item);
    if (p === this.period) return;
    if (p === undefined) this.pending.push(item);
    this.held.set(item, this.period);
  }

  /** New items not claimed yet, taken for an incremental claim. */
  takePending(): string[] {
    const p = this.pending;
    this.pending = [];
    return p;
  }

  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** Everything used or offered in the period now ending, for a full claim; what was not is forgotten. */
  takeAll(): string[] {
    const out: string[] = [];
    for (const [item, p] of this.held) {
      if (p === this.period) out.push(item);
      else this.held.delete(item);
    }
    for (const [item, p] of this.refused) {
      if (p === this.period) out.push(item);
      else this.refused.delete(item);
    }
    this.pending = [];
    this.period++;
    return out;
  }

  /** The fleet's answer to a claim of `sent`: refused items are refused from now on, granted ones in use. */
  settle(sent: readonly string[], refused: readonly string[]): void {
    const no = new Set(refused);
    for (const item of sent) {
      if (no.has(item)) {
        // As last offered in the period before: offered again, it is claimed at the next renewal; if not, forgotten.
        if (this.held.delete(item) || this.refused.has(item)) this.refused.set(item, this.period - 1);
      } else if (this.refused.delete(item)) this.held.set(item, this.period);
    }
  }

  /** Items the session uses or was refused (bounded by `max` + FLEET_MAX_REFUSED). */
  get size(): number {
    return this.held.size + this.refused.size;
  }

  /** In use by this session (admitted, granted or not yet answered). */
  holds(item: string): boolean {
    return this.held.has(item);
  }

  isRefused(item: string): boolean {
    return this.refused.has(item);
  }
}

export class FleetClaims {
  readonly drones: ClaimSet;
  readonly regions: ClaimSet;
  readonly renewEveryMs: number;
  private inFlight: ClaimDraft | null = null;
  private nextRenewMs: number;
  /** Whether the fleet's object may hold leases of this session (so a renewal, or the final release, is owed). */
  private leased = false;
  /** After an unanswered claim: no incremental claims until the next renewal (fail open, do not hammer). */
  private quietUntilMs = -Infinity;

  constructor(
    readonly limits: FleetLimits,
    leaseMs: number,
    nowMs: number,
  ) {
    this.drones = new ClaimSet(limits.drones);
    this.regions = new ClaimSet(limits.regions);
    this.renewEveryMs = Math.max(1, Math.floor(leaseMs / FLEET_RENEWALS_PER_LEASE));
    this.nextRenewMs = nowMs + this.renewEveryMs;
  }

  /** Whether a point of `drone` (its fleet key) into `regions` (home first, then halo) stays within the fleet's quotas. */
  refusal(drone: string, regions: readonly string[]): "fleet_drones" | "fleet_regions" | null {
    if (!this.drones.allows(drone)) return "fleet_drones";
    for (let i = 0; i < regions.length; i++) if (!this.regions.allows(regions[i]!)) return "fleet_regions"; // indexed: no iterator per point
    return null;
  }

  /** The point was admitted: its drone and regions are in use. */
  use(drone: string, regions: readonly string[]): void {
    this.drones.use(drone);
    for (let i = 0; i < regions.length; i++) this.regions.use(regions[i]!);
  }

  get active(): boolean {
    return this.limits.drones > 0 || this.limits.regions > 0;
  }

  /** The claim to send now, if any: a renewal when due, else the new names, never two at once. */
  request(nowMs: number): ClaimDraft | null {
    if (this.inFlight || !this.active) return null;
    let draft: ClaimDraft | null = null;
    if (nowMs >= this.nextRenewMs) {
      this.nextRenewMs = nowMs + this.renewEveryMs;
      if (!this.leased && this.drones.size === 0 && this.regions.size === 0) return null;
      draft = { full: true, drones: this.drones.takeAll(), regions: this.regions.takeAll() };
    } else if (nowMs >= this.quietUntilMs && (this.drones.hasPending || this.regions.hasPending)) {
      draft = { full: false, drones: this.drones.takePending(), regions: this.regions.takePending() };
    }
    if (draft) {
      this.inFlight = draft;
      this.leased = true;
    }
    return draft;
  }

  /** The answer to the claim in flight (returned); null: the object did not answer (fail open until the next renewal). */
  settle(reply: ClaimReply | null): ClaimDraft | null {
    const sent = this.inFlight;
    this.inFlight = null;
    if (!sent) return null;
    if (!reply) {
      this.quietUntilMs = this.nextRenewMs;
      return sent;
    }
    this.drones.settle(sent.drones, reply.refusedDrones);
    this.regions.settle(sent.regions, reply.refusedRegions);
    if (sent.full && sent.drones.length === 0 && sent.regions.length === 0) this.leased = false;
    return sent;
  }

  /** The claim giving everything back at the session's end, if the object may hold anything of it. */
  release(): ClaimDraft | null {
    if (!this.active || (!this.leased && !this.inFlight)) return null;
    return { full: true, drones: [], regions: [] };
  }
}
