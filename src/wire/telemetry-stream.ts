/**
 * The connection-scoped delta encoding (proto TelemetryStream), both ends. Each value is sent as a
 * difference from the same drone's previous report on the connection, so a relay frame of 50 different
 * drones shrinks like one drone's batch does. Both ends run the same state machine: the encoder stages a
 * frame and applies it only when the caller commits (the frame reached the socket), the decoder checks
 * the whole frame before it touches its state, so a rejected frame changes nothing. Pure.
 */
import { create } from "@bufbuild/protobuf";
import { PointSchema, TelemetryStreamSchema, type Point, type TelemetryStream } from "../gen/airspace/v1/airspace_pb.js";

/**
 * A relay's TelemetryStream table: room for churn past the drones it may carry, bounded in memory
 * (~36 B a drone). A drone's socket may name itself once besides its implicit id; 0 would mean "no
 * stream support" to a client.
 */
export function streamMaxDrones(role: "drone" | "relay" | "ops", relayMaxDrones: number): number {
  return role === "relay" ? Math.min(2 * relayMaxDrones, 16_384) : 1;
}

/** Per-drone fields, in the order of the state's rows. Times stay frame-relative (see the proto). */
const FIELDS = ["latE7", "lonE7", "altMm", "vnCms", "veCms", "vdCms", "battery", "seq"] as const;
const F = FIELDS.length;
/** Every numeric column; an empty one stands for all zeros. */
const COLUMNS = ["droneRef", "tOffsetMs", ...FIELDS] as const;

/** Longest drone id, in characters; the validator applies the byte limit to each point as usual. */
const MAX_ID_CHARS = 64;

/** A point's per-drone values as the stream sees them: battery and seq + 1, 0 = absent. */
function rowOf(p: Point, out: Int32Array): void {
  out[0] = p.latE7;
  out[1] = p.lonE7;
  out[2] = p.altMm;
  out[3] = p.vnCms;
  out[4] = p.veCms;
  out[5] = p.vdCms;
  out[6] = p.batteryPct === undefined ? 0 : (p.batteryPct + 1) | 0;
  out[7] = p.seq === undefined ? 0 : (p.seq + 1) | 0;
}

/**
 * The table and last values one end keeps for a connection. Index 0 is the implicit drone (id "").
 * Last values live in one Int32Array, F per drone, so a relay's 2,000 drones cost ~70 KB.
 */
class StreamState {
  ids: string[] = [""];
  index = new Map<string, number>([["", 0]]);
  /** The previous frame's base time, Unix ms. */
  lastBase = 0n;
  last: Int32Array;
  seen: Uint8Array;

  constructor(readonly maxDrones: number) {
    if (!(Number.isInteger(maxDrones) && maxDrones >= 0)) throw new RangeError(`maxDrones must be a non-negative integer, got ${maxDrones}`);
    this.last = new Int32Array(F * (maxDrones + 1));
    this.seen = new Uint8Array(maxDrones + 1);
  }

  reset(): void {
    this.lastBase = 0n;
    this.ids = [""];
    this.index = new Map([["", 0]]);
    this.seen.fill(0);
  }
}

/** A staged frame: the message to send, and what committing it changes. */
interface Draft {
  reset: boolean;
  base: bigint;
  newIds: string[];
  /** Drone index → its last values after this frame. */
  rows: Map<number, Int32Array>;
}

/** Client side: turns wire Points into TelemetryStream messages against the connection's state. */
export class StreamEncoder {
  private readonly s: StreamState;
  private draft: Draft | null = null;

  /** `maxDrones`: the welcome's stream_max_drones (1 on a drone socket: its own id may be named once). */
  constructor(maxDrones: number) {
    this.s = new StreamState(maxDrones);
  }

  /**
   * Encodes `points` (a point with droneId "" is the implicit drone's), or returns null when they name
   * more distinct drones than the table holds (send them as TelemetryColumns). The state is unchanged
   * until commit(); encoding again first discards an uncommitted frame (e.g. one split for size).
   */
  encode(points: readonly Point[], baseTimeMs: bigint): TelemetryStream | null {
    const s = this.s;
    this.draft = null;
    const distinct = new Set<string>();
    let fresh = 0;
    for (const p of points)
      if (p.droneId !== "" && !distinct.has(p.droneId)) {
        distinct.add(p.droneId);
        if (!s.index.has(p.droneId)) fresh++;
      }
    if (distinct.size > s.maxDrones) return null;
    // Starting over costs each drone one full-size report; cheaper than failing the connection.
    const reset = s.ids.length - 1 + fresh > s.maxDrones;
    const added = new Map<string, number>();
    const firstNew = reset ? 1 : s.ids.length;
    const m = create(TelemetryStreamSchema, { baseTimeDeltaMs: baseTimeMs - (reset ? 0n : s.lastBase), reset, points: points.length });
    const rows = new Map<number, Int32Array>();
    const newIds: string[] = [];
    const cur = new Int32Array(F);
    let prev = new Int32Array(F);
    let prevIndex = 0;
    let prevT = 0;
    for (const p of points) {
      let i = p.droneId === "" ? 0 : (added.get(p.droneId) ?? (reset ? undefined : s.index.get(p.droneId)));
      if (i === undefined) {
        i = firstNew + newIds.length;
        added.set(p.droneId, i);
        newIds.push(p.droneId);
      }
      m.droneRef.push(i - prevIndex);
      prevIndex = i;
      m.tOffsetMs.push((p.tOffsetMs - prevT) | 0);
      prevT = p.tOffsetMs;
      rowOf(p, cur);
      const ref = rows.get(i) ?? (!reset && s.seen[i] ? s.last.subarray(F * i, F * i + F) : prev);
      for (let k = 0; k < F; k++) m[FIELDS[k]!].push((cur[k]! - ref[k]!) | 0);
      const row = Int32Array.from(cur);
      rows.set(i, row);
      prev = row;
    }
    m.newDroneIds = newIds;
    for (const k of COLUMNS) if (m[k].every((v) => v === 0)) m[k] = [];
    this.draft = { reset, base: baseTimeMs, newIds, rows };
    return m;
  }

  /** Applies the last encoded frame to the state: call once it is handed to the socket. */
  commit(): void {
    const d = this.draft;
    if (!d) return;
    this.draft = null;
    const s = this.s;
    if (d.reset) s.reset();
    s.lastBase = d.base;
    for (const id of d.newIds) {
      s.index.set(id, s.ids.length);
      s.ids.push(id);
    }
    for (const [i, row] of d.rows) {
      s.last.set(row, F * i);
      s.seen[i] = 1;
    }
  }

  /** Ids in the table besides the implicit drone. */
  get drones(): number {
    return this.s.ids.length - 1;
  }
}

export type StreamResult = { ok: true; baseTimeMs: bigint; points: Point[] } | { ok: false; message: string };

/** Largest base time a frame may arrive at: Unix ms within 2^53, so Number() of it stays exact. */
const MAX_BASE = 2n ** 53n;

/** Gateway side: reads TelemetryStream messages against the connection's state. */
export class StreamDecoder {
  private readonly s: StreamState;

  constructor(maxDrones: number) {
    this.s = new StreamState(maxDrones);
  }

  /** The frame's Points, or why it cannot be read; on failure the state is exactly as before. */
  decode(m: TelemetryStream, maxPoints: number): StreamResult {
    const s = this.s;
    const n = m.points;
    if (n > maxPoints) return { ok: false, message: `${n} points in one frame; at most ${maxPoints}` };
    for (const k of COLUMNS)
      if (m[k].length !== 0 && m[k].length !== n) return { ok: false, message: `column ${k} has ${m[k].length} entries for ${n} points` };
    const baseTimeMs = (m.reset ? 0n : s.lastBase) + m.baseTimeDeltaMs;
    if (baseTimeMs < 0n || baseTimeMs > MAX_BASE) return { ok: false, message: `base time ${baseTimeMs} is not a Unix ms time` };
    const base = m.reset ? 1 : s.ids.length;
    const size = base + m.newDroneIds.length;
    if (size - 1 > s.maxDrones) return { ok: false, message: `the stream table would hold ${size - 1} drones; at most ${s.maxDrones}` };
    const fresh = new Set<string>();
    for (const id of m.newDroneIds) {
      if (id.length === 0 || id.length > MAX_ID_CHARS) return { ok: false, message: `new drone id of ${id.length} characters; 1-${MAX_ID_CHARS}` };
      if ((!m.reset && s.index.has(id)) || fresh.has(id)) return { ok: false, message: `drone id ${JSON.stringify(id)} is already in the stream table` };
      fresh.add(id);
    }
    const refs = m.droneRef;
    let idx = 0;
    for (let j = 0; j < refs.length; j++) {
      idx = (idx + refs[j]!) | 0;
      if (idx < 0 || idx >= size) return { ok: false, message: `point ${j} names drone ${idx} of ${size}` };
    }
    // Checked: from here on nothing fails, so the state can change as we go.
    if (m.reset) s.reset();
    s.lastBase = baseTimeMs;
    for (const id of m.newDroneIds) {
      s.index.set(id, s.ids.length);
      s.ids.push(id);
    }
    const cols = FIELDS.map((k) => (m[k].length === 0 ? null : m[k]));
    const times = m.tOffsetMs.length === 0 ? null : m.tOffsetMs;
    const points: Point[] = new Array(n);
    const last = s.last;
    let prev = -1;
    let t = 0;
    idx = 0;
    for (let j = 0; j < n; j++) {
      if (refs.length !== 0) idx = (idx + refs[j]!) | 0;
      const o = F * idx;
      // A drone's first report is relative to the frame's previous point (zeros for the first).
      if (!s.seen[idx]) {
        if (prev < 0) last.fill(0, o, o + F);
        else if (prev !== idx) last.copyWithin(o, F * prev, F * prev + F);
        s.seen[idx] = 1;
      }
      for (let k = 0; k < F; k++) {
        const c = cols[k];
        if (c) last[o + k] = (last[o + k]! + c[j]!) | 0;
      }
      if (times) t = (t + times[j]!) | 0;
      const battery = last[o + 6]! >>> 0;
      const seq = last[o + 7]! >>> 0;
      points[j] = create(PointSchema, {
        droneId: s.ids[idx]!,
        tOffsetMs: t,
        latE7: last[o]!,
        lonE7: last[o + 1]!,
        altMm: last[o + 2]!,
        vnCms: last[o + 3]!,
        veCms: last[o + 4]!,
        vdCms: last[o + 5]!,
        ...(battery !== 0 ? { batteryPct: battery - 1 } : {}),
        ...(seq !== 0 ? { seq: seq - 1 } : {}),
      });
      prev = idx;
    }
    return { ok: true, baseTimeMs, points };
  }

  /** Ids in the table besides the implicit drone. */
  get drones(): number {
    return this.s.ids.length - 1;
  }
}
