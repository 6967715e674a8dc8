/**
 * When each recorded report is replayed: its offset in seconds from the start of the replay. Within a
 * recording the recorded timing is kept; `align: "recordings"` starts every recording at 0 (side by
 * side, now), `"file"` keeps the file's own timeline (the earliest report at 0). Idle gaps, where no
 * drone of the timeline reports for longer than the gap threshold, are shortened to `keptS` unless
 * `keepGaps`: four flights on four days replay in minutes, not a week. Pure.
 */
import { IDLE_GAP_S, type Recording } from "./recording-scan.js";

export type Align = "recordings" | "file";

export interface TimelineOptions {
  align: Align;
  keepGaps: boolean;
  /** What is left of a skipped gap, s. Default: 1 */
  keptS?: number;
  /** Shortest idle gap of the file's timeline that is skipped, s (a recording's own come from the scan). Default: IDLE_GAP_S */
  gapS?: number;
}

/** Gaps of one timeline with the cumulative time removed up to the end of each. */
interface Skips {
  ends: number[];
  starts: number[];
  removedThrough: number[];
}

export class Timeline {
  private readonly origins: number[];
  private readonly skips: Skips[];
  /** Offset of the last report, s: the replay's length at speed 1. */
  readonly durationS: number;

  constructor(recordings: readonly Pick<Recording, "startS" | "endS" | "gaps">[], o: TimelineOptions) {
    const kept = o.keptS ?? 1;
    if (o.align === "recordings") {
      this.origins = recordings.map((r) => r.startS);
      this.skips = recordings.map((r) => skipsOf(o.keepGaps ? [] : r.gaps, kept));
    } else {
      const start = recordings.reduce((m, r) => (r.startS < m ? r.startS : m), Number.POSITIVE_INFINITY);
      const shared = skipsOf(o.keepGaps ? [] : idleGaps(recordings, o.gapS ?? IDLE_GAP_S), kept);
      this.origins = recordings.map(() => start);
      this.skips = recordings.map(() => shared);
    }
    let d = 0;
    for (let i = 0; i < recordings.length; i++) d = Math.max(d, this.offsetS(i, recordings[i]!.endS));
    this.durationS = d;
  }

  /** Seconds after the replay's start at which a report of recording `rec` measured at `timeS` is due (≥ 0). */
  offsetS(rec: number, timeS: number): number {
    const s = this.skips[rec]!;
    let removed = 0;
    // Last gap ending at or before timeS (binary search).
    let lo = 0;
    let hi = s.ends.length - 1;
    let k = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (s.ends[mid]! <= timeS) {
        k = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (k >= 0) removed = s.removedThrough[k]!;
    // A report inside a gap (out of order) is pulled to the gap's start.
    const next = k + 1;
    const inGap = next < s.ends.length && timeS > s.starts[next]! ? timeS - s.starts[next]! : 0;
    const off = timeS - this.origins[rec]! - removed - inGap;
    return off > 0 ? off : 0;
  }
}

function skipsOf(gaps: readonly [number, number][], keptS: number): Skips {
  const sorted = [...gaps].sort((a, b) => a[0] - b[0]);
  const out: Skips = { ends: [], starts: [], removedThrough: [] };
  let total = 0;
  for (const [from, to] of sorted) {
    const cut = to - from - keptS;
    if (cut <= 0) continue;
    total += cut;
    out.starts.push(from);
    out.ends.push(to);
    out.removedThrough.push(total);
  }
  return out;
}

/**
 * Gaps where no recording reports: each recording is active over its span minus its own gaps; the
 * idle time of the whole file is what the union of those leaves uncovered. A recording's own gap
 * while another recording is active is not idle. Only gaps longer than `minS` count.
 */
export function idleGaps(recordings: readonly Pick<Recording, "startS" | "endS" | "gaps">[], minS: number): [number, number][] {
  const active: [number, number][] = [];
  for (const r of recordings) {
    let from = r.startS;
    for (const [a, b] of [...r.gaps].sort((x, y) => x[0] - y[0])) {
      active.push([from, a]);
      from = b;
    }
    active.push([from, r.endS]);
  }
  active.sort((a, b) => a[0] - b[0]);
  const gaps: [number, number][] = [];
  let end = Number.NEGATIVE_INFINITY;
  for (const [a, b] of active) {
    if (a - end > minS && end > Number.NEGATIVE_INFINITY) gaps.push([end, a]);
    if (b > end) end = b;
  }
  return gaps;
}
