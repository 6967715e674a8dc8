/**
 * When a region's single-drone links go through ingest hubs, and through how many (K), pure. One
 * Durable Object is one thread, good for on the order of a thousand small messages a second
 * (docs/platform.md): a region fed one message per drone report runs out long before its conflict
 * work does. So the region counts the reports that reach it as messages of their own (batches of few
 * points, directly or inside hub bundles) and, past `thresholdPerS`, asks those links to go through K
 * hubs, K = ceil(rate / perHubPerS), each hub then sending the region one bundle a window. Relays,
 * whose batches already carry many points, stay direct. Hysteresis keeps a fleet near the threshold
 * from flapping: K grows at once, shrinks only below half, and returns to 0 under half the threshold.
 */
export interface HubPolicyOptions {
  thresholdPerS: number;
  perHubPerS: number;
  /** A link whose batches average at most this many points is a single-drone link. */
  smallBatchPoints: number;
  maxHubs: number;
}

export class HubPolicy {
  private hubs = 0;
  private pinned: number | null = null;
  /** What each link was last told (absent: never told, which means direct). */
  private readonly told = new Map<string, number>();
  private readonly seen = new Map<string, { batches: number; points: number }>();

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

  /** An operator pins K for this region (null: the policy decides again). */
  pin(hubs: number | null): void {
    this.pinned = hubs === null ? null : Math.max(0, Math.min(this.o.maxHubs, Math.floor(hubs)));
  }

  /** Once a tick: K for the last `elapsedMs`, and the links to tell their new route. */
  tick(elapsedMs: number): { hubs: number; tell: [string, number][] } {
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
      const want = small.has(link) ? this.hubs : 0;
      if ((this.told.get(link) ?? 0) === want) continue;
      this.told.set(link, want);
      tell.push([link, want]);
    }
    // A link not heard from this tick is forgotten (a reporting drone is heard at least once a second):
    // told once more if it comes back, and the map never outgrows the links in use.
    for (const link of this.told.keys()) if (!this.seen.has(link)) this.told.delete(link);
    this.seen.clear();
    return { hubs: this.hubs, tell };
  }

  /** The route a link should be greeted with (a link that reconnects learns it at once). */
  routeOf(linkId: string): number {
    return this.told.get(linkId) ?? 0;
  }

  forget(linkId: string): void {
    this.told.delete(linkId);
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
