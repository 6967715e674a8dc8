/**
 * Frames for gateway links that are away (reconnecting after a restart of the region, say), held so
 * that an alert computed in that gap is not lost: only the latest frame per key (one alert of one
 * drone, one proximity set) is kept, and only for `maxAgeMs` (the look-ahead: older alerts help
 * nobody).
 */
export class HeldFrames<T> {
  private readonly byLink = new Map<string, Map<string, { data: T; atMs: number }>>();

  constructor(private readonly maxAgeMs: number) {}

  hold(linkId: string, key: string, data: T, nowMs: number): void {
    let held = this.byLink.get(linkId);
    if (!held) {
      held = new Map();
      this.byLink.set(linkId, held);
    }
    held.set(key, { data, atMs: nowMs });
  }

  /** The link is back: its fresh frames, oldest key first; nothing is kept for it afterwards. */
  take(linkId: string, nowMs: number): T[] {
    const held = this.byLink.get(linkId);
    if (!held) return [];
    this.byLink.delete(linkId);
    const out: T[] = [];
    for (const { data, atMs } of held.values()) if (nowMs - atMs <= this.maxAgeMs) out.push(data);
    return out;
  }

  /** Drops what has grown too old to matter (called once per tick). */
  expire(nowMs: number): void {
    for (const [linkId, held] of this.byLink) {
      for (const [key, h] of held) if (nowMs - h.atMs > this.maxAgeMs) held.delete(key);
      if (held.size === 0) this.byLink.delete(linkId);
    }
  }

  get links(): number {
    return this.byLink.size;
  }
}
