/**
 * When a region's single-drone links go through ingest hubs, and through how many (K), pure. One
 * Durable Object is one thread, good for on the order of a thousand small messages a second
 * (docs/platform.md): a region fed one message per drone report runs out long before its conflict
 * work does. So the region counts the reports that reach it as messages of their own (batches of few
 * points, directly or inside hub bundles) and, past `thresholdPerS`, asks those links to go through K
 * hubs, K = ceil(rate / perHubPerS), each hub then sending the region one bundle a window. Relays,
 * whose batches already carry many points, stay direct. Hysteresis keeps a fleet near the threshold
 * from flapping: K grows at once, shrinks only below half, and returns to 0 under half the threshold.
 * A link whose drone is in proximity of another stays direct whatever K is: its reports are the ones
 * an alert waits on, and each is flushed at once anyway, so a hub would add a hop and save nothing.
 */
export interface HubPolicyOptions {
  thresholdPerS: number;
  perHubPerS: number;
  /** A link whose batches average at most this many points is a single-drone link. */
  smallBatchPoints: number;
  maxHubs: number;
  /** A link stays direct this long after its drone's last proximity, so a drone at the edge of 2R does not flap. */
  nearHoldMs: number;
}

export class HubPolicy {
  private hubs = 0;
  private pinned: number | null = null;
  /** What each link was last told (absent: never told, which means direct). */
  private readonly told = new Map<string, number>();
  private readonly seen = new Map<string, { batches: number; points: number }>();
  /** Links with a drone in proximity (Infinity), or the time until which they stay direct after it. */
  private readonly near = new Map<string, number>();

  constructor(private readonly o: HubPolicyOptions) {}

  /** K in force. */
  get current(): number {
    return this.hubs;
  }

  /** One applied batch of a gateway link (direct or inside a bundle). */
  batch(linkId: string, points: number): void {
    const s = this.seen.get(linkId);
    if (s) {
      s.batches++;
      s.points += points;
    } else this.seen.set(linkId, { batches: 1, points });
  }

  /**
   * The region's proximity set of a link changed (`near`: not empty). A link going near is taken off
   * its hub at once, not at the next tick: returns the route to tell it now, or null.
   */
  proximity(linkId: string, near: boolean, nowMs: number): number | null {
    if (!near) {
      if (this.near.get(linkId) === Infinity) this.near.set(linkId, nowMs + this.o.nearHoldMs);
      return null;
    }
    this.near.set(linkId, Infinity);
    if ((this.told.get(linkId) ?? 0) === 0) return null;
    this.told.set(linkId, 0);
    return 0;
  }

  /** An operator pins K for this region (null: the policy decides again). */
  pin(hubs: number | null): void {
    this.pinned = hubs === null ? null : Math.max(0, Math.min(this.o.maxHubs, Math.floor(hubs)));
  }

  /** Once a tick: K for the last `elapsedMs`, and the links to tell their new route. */
  tick(elapsedMs: number, nowMs: number): { hubs: number; tell: [string, number][] } {
    const secs = Math.max(elapsedMs, 1) / 1000;
    let rate = 0;
    const small = new Set<string>();
    for (const [link, s] of this.seen) {
      if (s.points > s.batches * this.o.smallBatchPoints) continue;
      small.add(link);
      rate += s.batches / secs;
    }
    this.hubs = this.pinned ?? this.decide(rate);
    const tell: [string, number][] = [];
    for (const link of this.seen.keys()) {
      const want = small.has(link) && !((this.near.get(link) ?? 0) > nowMs) ? this.hubs : 0;
      if ((this.told.get(link) ?? 0) === want) continue;
      this.told.set(link, want);
      tell.push([link, want]);
    }
    // A link not heard from this tick is forgotten (a reporting drone is heard at least once a second):
    // told once more if it comes back, and the map never outgrows the links in use.
    for (const link of this.told.keys()) if (!this.seen.has(link)) this.told.delete(link);
    // A drone still near keeps its entry (its set is not sent again when it reports again); one that
    // left proximity is dropped after the hold. Bounded by the region's drones.
    for (const [link, until] of this.near) if (until <= nowMs) this.near.delete(link);
    this.seen.clear();
    return { hubs: this.hubs, tell };
  }

  /** The route a link should be greeted with (a link that reconnects learns it at once). */
  routeOf(linkId: string): number {
    return this.told.get(linkId) ?? 0;
  }

  forget(linkId: string): void {
    this.told.delete(linkId);
    this.near.delete(linkId);
  }

  private decide(rate: number): number {
    const o = this.o;
    if (this.hubs === 0) return rate >= o.thresholdPerS ? this.need(rate) : 0;
    if (rate < o.thresholdPerS / 2) return 0;
    const k = this.need(rate);
    return k > this.hubs || k <= this.hubs / 2 ? k : this.hubs;
  }

  private need(rate: number): number {
    return Math.max(1, Math.min(this.o.maxHubs, Math.ceil(rate / this.o.perHubPerS)));
  }
}

/** The hub of `hubs` a drone's link goes through: a stable hash of its id (FNV-1a), so it stays put. */
export function hubShard(droneId: string, hubs: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < droneId.length; i++) {
    h ^= droneId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % hubs;
}
