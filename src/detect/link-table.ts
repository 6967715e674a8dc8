/**
 * The gateway links a region's drones are homed on: small integers for link ids (what the drone table
 * stores per drone), reference-counted and recycled, each with its proximity set.
 */
/** `DroneTable.link` of a drone no link has carried as a home drone. */
export const NO_LINK = 0xffff;

/**
 * The link-name table behind `DroneTable.link`: small integers for gateway link ids, reference-counted by the
 * drones homed on them and recycled (link ids change with every gateway reconnect). It also keeps each
 * link's proximity set, emitted only when it differs from what was last sent.
 */
export class LinkTable {
  private names: string[] = [];
  private readonly byName = new Map<string, number>();
  private refs: number[] = [];
  private freeIdx: number[] = [];
  private members: (Set<string> | undefined)[] = [];
  private lastSent: (Set<string> | undefined)[] = [];
  private readonly changed = new Set<number>();

  intern(name: string): number {
    const i = this.byName.get(name);
    if (i !== undefined) return i;
    const idx = this.freeIdx.pop() ?? this.names.length;
    if (idx >= NO_LINK) throw new RangeError(`more than ${NO_LINK} links carry drones to one region`);
    this.names[idx] = name;
    this.refs[idx] = 0;
    this.members[idx] = undefined;
    this.lastSent[idx] = undefined;
    this.byName.set(name, idx);
    return idx;
  }

  name(i: number): string {
    return this.names[i] ?? "";
  }

  ref(i: number, delta: number): void {
    this.refs[i] = (this.refs[i] ?? 0) + delta;
  }

  /** Adds or removes a drone from the link's proximity set. */
  setMember(i: number, droneId: string, on: boolean): void {
    let m = this.members[i];
    if (on) {
      if (!m) {
        m = new Set();
        this.members[i] = m;
      }
      m.add(droneId);
    } else m?.delete(droneId);
    this.changed.add(i);
  }

  /** Calls `send` for every link whose proximity set differs from the last one sent (ids in insertion order). */
  flushChanged(send: (linkId: string, droneIds: string[]) => void): void {
    if (this.changed.size === 0) return;
    for (const i of this.changed) {
      const now = this.members[i];
      const last = this.lastSent[i];
      if (sameSet(now, last)) continue; // flags flipped and back within one batch: nothing to say
      this.lastSent[i] = now && now.size > 0 ? new Set(now) : undefined;
      send(this.names[i]!, now ? [...now] : []); // unsorted: sorting hundreds of ids per batch cost ~0.3 µs/point
    }
    this.changed.clear();
  }

  /** Recycles links no drone is homed on any more (after their last proximity change was flushed). */
  collect(): void {
    for (let i = 0; i < this.names.length; i++) {
      if (this.refs[i] !== 0 || this.changed.has(i) || !this.byName.has(this.names[i]!)) continue;
      if ((this.members[i]?.size ?? 0) > 0) continue;
      this.byName.delete(this.names[i]!);
      this.refs[i] = -1;
      this.freeIdx.push(i);
    }
  }

  /** Links in use (for tests and ops). */
  get size(): number {
    return this.byName.size;
  }
}

function sameSet(a: Set<string> | undefined, b: Set<string> | undefined): boolean {
  const na = a?.size ?? 0;
  if (na !== (b?.size ?? 0)) return false;
  if (na === 0) return true;
  for (const x of a!) if (!b!.has(x)) return false;
  return true;
}
