/**
 * The client's queue of unsent points: bounded (the oldest go first when full: for collision alerting
 * a fresh position is worth more than an old one), with per-drone pauses after a rate-limit notice.
 * While a drone is paused only its newest point is kept, so the pause does not end in a burst that the
 * server's token bucket would drop again.
 */
import type { ClientPoint } from "./wire.js";

/** Key for pausing the whole connection (a notice with an empty drone id). */
const ALL = "";

export class Outbox {
  private items: ClientPoint[] = [];
  private head = 0;
  /** Paused drone id → pause end (ms, client clock). */
  private readonly pausedUntil = new Map<string, number>();
  /** Newest point of each paused drone, sent once its pause ends. */
  private readonly held = new Map<string, ClientPoint>();
  /** Points dropped because the queue was full. */
  droppedOverflow = 0;
  /** Points superseded by a newer one while their drone was paused. */
  droppedPaused = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`queue capacity must be at least 1, got ${capacity}`);
  }

  /** Queued points (including held ones). */
  get size(): number {
    return this.items.length - this.head + this.held.size;
  }

  /** Queues `p` (its droneId set). Returns how many points overflow dropped (0 or 1). */
  push(p: ClientPoint, nowMs: number): number {
    const id = p.droneId ?? "";
    if (this.isPaused(id, nowMs)) {
      this.hold(id, p);
      return 0;
    }
    this.items.push(p);
    if (this.items.length - this.head > this.capacity) {
      this.head++;
      this.droppedOverflow++;
      this.compact();
      return 1;
    }
    return 0;
  }

  /** Pauses `droneId` ("" = every drone) until `untilMs`; extends but never shortens a pause. */
  pause(droneId: string, untilMs: number): void {
    const prev = this.pausedUntil.get(droneId) ?? 0;
    if (untilMs > prev) this.pausedUntil.set(droneId, untilMs);
  }

  isPaused(droneId: string, nowMs: number): boolean {
    return this.pauseEnd(droneId, nowMs) > nowMs;
  }

  /** When the earliest pause ends (ms), or Infinity: the client wakes its flush timer then. */
  nextPauseEnd(nowMs: number): number {
    let t = Infinity;
    for (const until of this.pausedUntil.values()) if (until > nowMs && until < t) t = until;
    return t;
  }

  /**
   * Removes and returns up to `max` sendable points, oldest first. Points of drones paused since they
   * were queued are moved to `held`; held points whose pause ended come back first (they are oldest).
   */
  take(max: number, nowMs: number): ClientPoint[] {
    this.expirePauses(nowMs);
    const out: ClientPoint[] = [];
    if (this.isPaused(ALL, nowMs)) return out;
    for (const [id, p] of this.held) {
      if (out.length >= max) break;
      if (this.isPaused(id, nowMs)) continue;
      out.push(p);
      this.held.delete(id);
    }
    while (out.length < max && this.head < this.items.length) {
      const p = this.items[this.head++]!;
      const id = p.droneId ?? "";
      if (this.pausedUntil.size > 0 && this.isPaused(id, nowMs)) this.hold(id, p);
      else out.push(p);
    }
    this.compact();
    return out;
  }

  /** Puts points back at the front (a send that could not happen), keeping the bound. */
  unshift(points: readonly ClientPoint[]): void {
    if (points.length === 0) return;
    this.items = [...points, ...this.items.slice(this.head)];
    this.head = 0;
    const over = this.items.length - this.capacity;
    if (over > 0) {
      this.head = over;
      this.droppedOverflow += over;
      this.compact();
    }
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.held.clear();
  }

  private pauseEnd(droneId: string, nowMs: number): number {
    const all = this.pausedUntil.get(ALL) ?? 0;
    const one = droneId === ALL ? 0 : (this.pausedUntil.get(droneId) ?? 0);
    const end = all > one ? all : one;
    return end > nowMs ? end : 0;
  }

  /** Keeps the newer of `p` and the held point: queued points can be older than ones pushed while paused. */
  private hold(id: string, p: ClientPoint): void {
    const prev = this.held.get(id);
    if (prev) this.droppedPaused++;
    if (!prev || p.timeMs >= prev.timeMs) this.held.set(id, p);
  }

  private expirePauses(nowMs: number): void {
    for (const [id, until] of this.pausedUntil) if (until <= nowMs) this.pausedUntil.delete(id);
  }

  /** Drops the consumed prefix once it dominates, so take() stays O(taken) without Array#shift. */
  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    } else if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    }
  }
}
