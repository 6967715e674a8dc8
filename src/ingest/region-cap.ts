/**
 * The regions one session may send to at once (DRONE_MAX_REGIONS / RELAY_MAX_REGIONS): each costs a
 * link and keeps a region object awake, so a token must not reach across the map (issue 11: one drone
 * token woke ten distant regions). A region is in use from the first point admitted for it until its
 * link is closed idle (src/gateway/session.ts), which frees the slot.
 */
export class RegionCap {
  private readonly open = new Set<string>();

  constructor(readonly max: number) {}

  /** Whether `regions` fit: already in use, or room for the new ones; if so they are in use now. */
  admit(regions: readonly string[]): boolean {
    let fresh = 0;
    // Indexed: a for-of allocated an iterator and a result per step, for every point.
    for (let i = 0; i < regions.length; i++) if (!this.open.has(regions[i]!)) fresh++;
    if (fresh === 0) return true;
    if (this.open.size + fresh > this.max) return false;
    for (let i = 0; i < regions.length; i++) this.open.add(regions[i]!);
    return true;
  }

  has(region: string): boolean {
    return this.open.has(region);
  }

  release(region: string): void {
    this.open.delete(region);
  }

  get size(): number {
    return this.open.size;
  }
}
