/**
 * The gateway's side of load shedding (issue 12): a region that cannot keep pace names a shed level
 * (src/detect/overload-gauge.ts, link control `shed`), and so does this session's own link to it when
 * its unacknowledged backlog runs deep into the resend window (BACKLOG_SHED_AT: what the region cannot
 * see, such as its own storage failing or its link taking seconds to open). The higher of the two
 * applies: this session then holds back, before they are accepted, the points that matter least, by
 * level (src/tunables.ts SHED_LEVELS):
 *   1. health: a hovering drone's refreshes beyond one per `hoverMs` (they say only "still here");
 *   2+. positions: a moving drone's points beyond one per `movingMs`.
 * Never: a drone in proximity of another or in a conflict (the region's proximity set), and nothing the
 * region sends back (alerts). Points already accepted are never dropped: shedding is admission only, so
 * "every accepted point is applied exactly once" still holds. A shed point is counted and its client told.
 */
import { ErrorCode } from "../gen/airspace/v1/airspace_pb.js";
import { BACKLOG_SHED_AT, NOTICE_INTERVAL_MS, SHED_HOVER_MPS, SHED_LEASE_MS, SHED_LEVELS } from "../tunables.js";
import { localDroneId } from "../wire/fleet-key.js";
import type { TelemetryPoint } from "../wire/point.js";
import { errorFrame } from "../wire/server-frames.js";

export class LoadShed {
  /** Per region: its level, and until when it holds unless the region repeats it (SHED_LEASE_MS). */
  private readonly levels = new Map<string, { level: number; untilMs: number }>();
  /** Per region: the level this session's link backlog calls for (absent: 0), kept current by the link. */
  private readonly backlog = new Map<string, number>();
  /** Measurement time of each drone's last accepted point (only kept while some region sheds). */
  private readonly kept = new Map<string, number>();
  /** Held back since the last notice, and what the notice names. */
  private held = 0;
  private heldDrone = "";
  private heldRegion = "";
  private heldLevel = 0;
  /** Whether the last held point was held for the link's backlog rather than the region's word. */
  private heldForBacklog = false;
  private lastNoticeMs = Number.NEGATIVE_INFINITY;

  /** The level a region asked for at `nowMs` (0: shed nothing). */
  setLevel(regionKey: string, level: number, nowMs: number): void {
    const l = Math.max(0, Math.min(SHED_LEVELS.length - 1, Math.floor(level)));
    if (l === 0) this.levels.delete(regionKey);
    else this.levels.set(regionKey, { level: l, untilMs: nowMs + SHED_LEASE_MS });
    if (!this.active) this.kept.clear();
  }

  /**
   * How far this session's link to `regionKey` has gone into its resend window: its oldest
   * unacknowledged batch's age over RESEND_MAX_MS, or its bytes over RESEND_MAX_BYTES, the larger.
   */
  setBacklog(regionKey: string, fraction: number): void {
    const l = backlogLevel(fraction);
    if (l === 0) this.backlog.delete(regionKey);
    else this.backlog.set(regionKey, l);
    if (!this.active) this.kept.clear();
  }

  /** The level in force for `regionKey`: the region's, or the link backlog's when higher. */
  levelOf(regionKey: string, nowMs: number): number {
    return Math.max(this.regionLevel(regionKey, nowMs), this.backlog.get(regionKey) ?? 0);
  }

  private regionLevel(regionKey: string, nowMs: number): number {
    const e = this.levels.get(regionKey);
    if (e === undefined) return 0;
    if (nowMs < e.untilMs) return e.level;
    this.setLevel(regionKey, 0, nowMs); // lapsed: the region stopped repeating it
    return 0;
  }

  private get active(): boolean {
    return this.levels.size > 0 || this.backlog.size > 0;
  }

  /** Whether p, whose home is `regionKey`, is held back at `nowMs`; `urgent`: its drone is in proximity or a conflict there. */
  sheds(regionKey: string, p: TelemetryPoint, urgent: boolean, nowMs: number): boolean {
    if (urgent || !this.active) return false;
    const byRegion = this.regionLevel(regionKey, nowMs);
    const level = Math.max(byRegion, this.backlog.get(regionKey) ?? 0);
    if (level === 0) return false;
    const last = this.kept.get(p.droneId);
    if (last === undefined) return false;
    const { hoverMs, movingMs } = SHED_LEVELS[level]!;
    const hovering = p.vn * p.vn + p.ve * p.ve + p.vu * p.vu < SHED_HOVER_MPS * SHED_HOVER_MPS;
    if (p.timeMs - last >= (hovering ? hoverMs : movingMs)) return false;
    this.held++;
    this.heldLevel = level;
    this.heldDrone = p.droneId;
    this.heldRegion = regionKey;
    this.heldForBacklog = level > byRegion;
    return true;
  }

  /** The client's notice (ERROR_CODE_OVERLOADED) of what was held back, at most one per NOTICE_INTERVAL_MS; null when none is due. */
  takeNotice(nowMs: number): Uint8Array | null {
    if (this.held === 0 || nowMs - this.lastNoticeMs < NOTICE_INTERVAL_MS) return null;
    const frame = errorFrame(
      ErrorCode.OVERLOADED,
      shedMessage(this.heldRegion, this.heldLevel, this.held, this.heldForBacklog),
      localDroneId(this.heldDrone),
      this.held,
    );
    this.held = 0;
    this.lastNoticeMs = nowMs;
    return frame;
  }

  /** p was accepted: the next interval counts from it. */
  accepted(p: TelemetryPoint): void {
    if (this.active) this.kept.set(p.droneId, p.timeMs);
  }
}

/** The shed level a link backlog of `fraction` of its resend window calls for. */
export function backlogLevel(fraction: number): number {
  let l = 0;
  while (l < BACKLOG_SHED_AT.length && fraction >= BACKLOG_SHED_AT[l]!) l++;
  return Math.min(l, SHED_LEVELS.length - 1);
}

function shedMessage(regionKey: string, level: number, count: number, backlog: boolean): string {
  const { hoverMs, movingMs } = SHED_LEVELS[level] ?? SHED_LEVELS[SHED_LEVELS.length - 1]!;
  const moving = movingMs > 0 ? `, positions of moving drones to one per ${movingMs} ms` : "";
  const why = backlog ? `has not acknowledged this connection's recent points (link backlog)` : "cannot keep pace";
  return `region ${regionKey} ${why} and sheds load (level ${level}): ${count} point(s) held back; hovering drones' refreshes are kept to one per ${hoverMs} ms${moving}. Drones near another or in a conflict are never held back, and alerts are unaffected`;
}
