/**
 * The gateway's side of load shedding (issue 12): a region that cannot keep pace names a shed level
 * (src/detect/overload-gauge.ts, link control `shed`); this session then holds back, before they are
 * accepted, the points that matter least, by level (src/tunables.ts SHED_LEVELS):
 *   1. health: a hovering drone's refreshes beyond one per `hoverMs` (they say only "still here");
 *   2+. positions: a moving drone's points beyond one per `movingMs`.
 * Never: a drone in proximity of another or in a conflict (the region's proximity set), and nothing the
 * region sends back (alerts). Points already accepted are never dropped: shedding is admission only, so
 * "every accepted point is applied exactly once" still holds. A shed point is counted and its client told.
 */
import { ErrorCode } from "../gen/airspace/v1/airspace_pb.js";
import { NOTICE_INTERVAL_MS, SHED_HOVER_MPS, SHED_LEASE_MS, SHED_LEVELS } from "../tunables.js";
import { localDroneId } from "../wire/fleet-key.js";
import type { TelemetryPoint } from "../wire/point.js";
import { errorFrame } from "../wire/server-frames.js";

export class LoadShed {
  /** Per region: its level, and until when it holds unless the region repeats it (SHED_LEASE_MS). */
  private readonly levels = new Map<string, { level: number; untilMs: number }>();
  /** Measurement time of each drone's last accepted point (only kept while some region sheds). */
  private readonly kept = new Map<string, number>();
  /** Held back since the last notice, and what the notice names. */
  private held = 0;
  private heldDrone = "";
  private heldRegion = "";
  private heldLevel = 0;
  private lastNoticeMs = Number.NEGATIVE_INFINITY;

  /** The level a region asked for at `nowMs` (0: shed nothing). */
  setLevel(regionKey: string, level: number, nowMs: number): void {
    const l = Math.max(0, Math.min(SHED_LEVELS.length - 1, Math.floor(level)));
    if (l === 0) this.levels.delete(regionKey);
    else this.levels.set(regionKey, { level: l, untilMs: nowMs + SHED_LEASE_MS });
    if (this.levels.size === 0) this.kept.clear();
  }

  levelOf(regionKey: string, nowMs: number): number {
    const e = this.levels.get(regionKey);
    if (e === undefined) return 0;
    if (nowMs < e.untilMs) return e.level;
    this.setLevel(regionKey, 0, nowMs); // lapsed: the region stopped repeating it
    return 0;
  }

  /** Whether p, whose home is `regionKey`, is held back at `nowMs`; `urgent`: its drone is in proximity or a conflict there. */
  sheds(regionKey: string, p: TelemetryPoint, urgent: boolean, nowMs: number): boolean {
    if (this.levels.size === 0 || urgent) return false;
    const level = this.levelOf(regionKey, nowMs);
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
    return true;
  }

  /** The client's notice (ERROR_CODE_OVERLOADED) of what was held back, at most one per NOTICE_INTERVAL_MS; null when none is due. */
  takeNotice(nowMs: number): Uint8Array | null {
    if (this.held === 0 || nowMs - this.lastNoticeMs < NOTICE_INTERVAL_MS) return null;
    const frame = errorFrame(ErrorCode.OVERLOADED, shedMessage(this.heldRegion, this.heldLevel, this.held), localDroneId(this.heldDrone), this.held);
    this.held = 0;
    this.lastNoticeMs = nowMs;
    return frame;
  }

  /** p was accepted: the next interval counts from it. */
  accepted(p: TelemetryPoint): void {
    if (this.levels.size > 0) this.kept.set(p.droneId, p.timeMs);
  }
}

function shedMessage(regionKey: string, level: number, count: number): string {
  const { hoverMs, movingMs } = SHED_LEVELS[level] ?? SHED_LEVELS[SHED_LEVELS.length - 1]!;
  const moving = movingMs > 0 ? `, positions of moving drones to one per ${movingMs} ms` : "";
  return `region ${regionKey} cannot keep pace and sheds load (level ${level}): ${count} point(s) held back; hovering drones' refreshes are kept to one per ${hoverMs} ms${moving}. Drones near another or in a conflict are never held back, and alerts are unaffected`;
}
