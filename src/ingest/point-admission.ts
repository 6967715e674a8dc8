/**
 * Whether one wire point may enter the pipeline, before any region hears of it: valid values
 * (validate.ts), a drone this session may write (fleet-scope.ts), a plausible move from the drone's
 * previous point (plausibility.ts); then, once the rate limit has admitted it, its drone, home and halo
 * regions within its fleet's quotas (fleet-claims.ts) and the session's region cap (region-cap.ts). An
 * accepted point leaves under its fleet key.
 */
import { JUMP_CHECK_OFF_MPS } from "../tunables.js";
import type { Options } from "../config.js";
import type { Point } from "../gen/airspace/v1/airspace_pb.js";
import { haloRegions, regionOf } from "../geo/regions.js";
import type { TelemetryPoint } from "../wire/point.js";
import type { FleetLimits } from "./fleet-claim-protocol.js";
import { FleetClaims } from "./fleet-claims.js";
import { FleetScope } from "./fleet-scope.js";
import type { Rejected } from "./outcome.js";
import { JumpCheck } from "./plausibility.js";
import { RegionCap } from "./region-cap.js";
import type { SessionPrincipal } from "./session-output.js";
import { type PointVerdict, type ValidationContext, validatePoint } from "./validate.js";

export class PointAdmission {
  readonly scope: FleetScope;
  readonly regions: RegionCap;
  readonly claims: FleetClaims;
  /** Null when JUMP_CHECK_MPS turns the check off (a replay of recordings at compressed time). */
  private readonly jumps: JumpCheck | null;
  private readonly ctx: ValidationContext;
  private readonly halo: string[] = [];
  /** Home then halo, and the answer of route: reused by every call (a list and an object per point otherwise). */
  private readonly all: string[] = [""];
  private readonly routed = { home: "", halo: this.halo as readonly string[] };

  constructor(
    principal: SessionPrincipal,
    private readonly opts: Options,
    limits: FleetLimits,
    nowMs: number,
  ) {
    this.scope = new FleetScope(principal);
    this.claims = new FleetClaims(limits, opts.fleetLeaseMs, nowMs);
    this.jumps = opts.jumpCheckMps >= JUMP_CHECK_OFF_MPS ? null : new JumpCheck(opts.jumpCheckMps || opts.maxSpeedMps, 2 * opts.relayMaxDrones);
    this.regions = new RegionCap(principal.role === "relay" ? opts.relayMaxRegions : opts.droneMaxRegions);
    const ownDroneId = principal.role === "drone" ? principal.sub : null;
    this.ctx = { ownDroneId, maxSpeedMps: opts.maxSpeedMps, maxLatDeg: opts.maxOperatingLat, maxFutureMs: opts.maxFutureMs, maxAgeMs: opts.maxAgeMs, nowMs: 0 };
  }

  /** The point under its fleet key, or why it is rejected (its `droneId` is then the wire's). */
  check(wire: Point, baseTimeMs: number, nowMs: number): PointVerdict {
    this.ctx.nowMs = nowMs;
    const v = validatePoint(wire, baseTimeMs, this.ctx);
    if (v.status === "rejected") return v;
    const refused = this.scope.check(v.point.droneId);
    if (refused) return refused;
    const p = v.point;
    p.droneId = this.scope.key(p.droneId);
    const jump = this.jumps?.check(p) ?? null;
    return jump ? { ...jump, droneId: this.localId(wire) } : v;
  }

  /** The home region and halo of an admitted point, within the quotas and the region cap; the answer is reused by the next call. */
  route(p: TelemetryPoint): { readonly home: string; readonly halo: readonly string[] } | Rejected {
    const home = regionOf(p.lat, p.lon, this.opts.regionPrecision);
    const halo = haloRegions(p.lat, p.lon, this.opts.regionPrecision, this.opts.haloM, this.halo);
    const all = this.all;
    all[0] = home;
    for (let i = 0; i < halo.length; i++) all[i + 1] = halo[i]!;
    if (all.length !== halo.length + 1) all.length = halo.length + 1;
    const over = this.claims.refusal(p.droneId, all);
    if (over) return { status: "rejected", reason: over, droneId: p.droneId, message: this.quotaMessage(over) };
    if (!this.regions.admit(all))
      return { status: "rejected", reason: "regions", droneId: p.droneId, message: `this session already sends to ${this.regions.max} regions` };
    this.claims.use(p.droneId, all);
    this.routed.home = home;
    return this.routed;
  }

  /** `p` passed every stage: the reference for its drone's next jump check. */
  accepted(p: TelemetryPoint): void {
    this.jumps?.accepted(p);
  }

  /** The key a rejected point's drone is counted under. */
  keyOf(wireId: string): string {
    return this.scope.key(wireId === "" ? (this.ctx.ownDroneId ?? "") : wireId);
  }

  private quotaMessage(over: "fleet_drones" | "fleet_regions"): string {
    const [n, what, option] =
      over === "fleet_drones" ? [this.claims.limits.drones, "drones", "FLEET_MAX_DRONES"] : [this.claims.limits.regions, "regions", "FLEET_MAX_REGIONS"];
    return `fleet ${this.scope.fleet} is at its quota of ${n} ${what} (${option} or FLEET_QUOTAS) across its sessions`;
  }

  private localId(wire: Point): string {
    return wire.droneId === "" ? (this.ctx.ownDroneId ?? "") : wire.droneId;
  }
}
