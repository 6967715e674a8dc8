/**
 * Which drones a session may write, and under what key (issue 11). A drone token writes only its own
 * id (validate.ts); a relay writes drones of its token's fleet, all of them or only those its `drones`
 * allow-list or id `prefix` names. Every id the session accepts becomes `fleet/droneId`
 * (wire/fleet-key.ts) before it reaches a region, so another fleet's drone of the same id is another
 * drone: a relay cannot take it over, hide it or steal its alerts.
 */
import { fleetKey } from "../wire/fleet-key.js";
import type { Rejected } from "./outcome.js";
import type { SessionPrincipal } from "./session-output.js";

export class FleetScope {
  readonly fleet: string;
  private readonly allowed: ReadonlySet<string> | null;
  private readonly prefix: string | null;
  private lastId = "";
  private lastKey = "";

  constructor(p: SessionPrincipal) {
    this.fleet = p.fleet;
    this.allowed = p.role === "relay" && p.drones ? new Set(p.drones) : null;
    this.prefix = p.role === "relay" ? (p.prefix ?? null) : null;
  }

  /** The most drones this session may carry, when its token lists them; null otherwise. */
  get listed(): number | null {
    return this.allowed?.size ?? null;
  }

  /** Null when the session may write `droneId` (already validated), else why not. */
  check(droneId: string): Rejected | null {
    if (this.allowed !== null && !this.allowed.has(droneId))
      return { status: "rejected", reason: "wrong_drone", droneId, message: `drone ${droneId} is not on this relay token's drones list` };
    if (this.prefix !== null && !droneId.startsWith(this.prefix))
      return { status: "rejected", reason: "wrong_drone", droneId, message: `this relay token may only send drones whose id starts with ${this.prefix}` };
    return null;
  }

  /**
   * The edge's key for `droneId` of this session's fleet. The last answer is kept: a drone session keys
   * one id, and a string built per point was also flattened again by every table it was looked up in.
   */
  key(droneId: string): string {
    if (droneId !== this.lastId || this.lastKey === "") {
      this.lastId = droneId;
      this.lastKey = fleetKey(this.fleet, droneId);
    }
    return this.lastKey;
  }
}
