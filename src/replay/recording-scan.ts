/**
 * The replay's first pass over a CSV: which recordings it holds and where, so the second pass can
 * read them side by side in bounded memory. A recording is a run of consecutive rows whose times
 * stay within `breakS` of each other (a file of four flights on four days holds four); for each the
 * byte range and first line, the time span and the idle gaps where none of its drones reports (longer
 * than `gapS`), plus every unreadable row (counted, the first few kept with their line numbers).
 */
import type { CsvEvent } from "./csv-rows.js";

/** A new recording starts where the time jumps by more than this, either way, s. */
export const RECORDING_BREAK_S = 3600;
/** Silences longer than this inside a recording are idle gaps (skipped unless --keep-gaps), s. */
export const IDLE_GAP_S = 5;
/** Unreadable rows listed by line number; the rest are only counted. */
const BAD_LINES_KEPT = 20;

export interface Recording {
  /** 0-based, in file order. */
  index: number;
  /** Byte range [startByte, endByte) of its rows, and the line number at startByte. */
  startByte: number;
  endByte: number;
  firstLine: number;
  rows: number;
  /** Earliest and latest measurement time, Unix s. */
  startS: number;
  endS: number;
  /** Idle gaps [from, to] (report times, s), in time order. */
  gaps: [number, number][];
}

export interface ScanResult {
  header: string[];
  rows: number;
  recordings: Recording[];
  bad: number;
  badLines: { line: number; reason: string }[];
  /** Rows measured before an earlier row of their recording (sent when reached). */
  outOfOrder: number;
  /** Drones per recording, summed: an id in several recordings counts once in each (they may be replayed side by side). */
  drones: number;
  /** Drone id → the first recording it appears in. */
  firstRecordingOf: ReadonlyMap<string, number>;
  /** Drone ids that appear in more than one recording. */
  sharedIds: number;
}

export class RecordingScanner {
  private header: string[] = [];
  private rows = 0;
  private bad = 0;
  private readonly badLines: { line: number; reason: string }[] = [];
  private outOfOrder = 0;
  private readonly recordings: Recording[] = [];
  private current: Recording | null = null;
  /** Latest time seen in the current recording (idle gaps are measured from it). */
  private latestS = Number.NEGATIVE_INFINITY;
  /** Where the previous record ended: the next recording starts there (empty lines included). */
  private prevEnd = 0;
  private prevLine = 0;
  private readonly firstRecording = new Map<string, number>();
  /** Ids seen in the current recording, to count drones per recording. */
  private idsHere = new Set<string>();
  private drones = 0;
  private shared = new Set<string>();

  constructor(
    private readonly gapS = IDLE_GAP_S,
    private readonly breakS = RECORDING_BREAK_S,
  ) {}

  add(e: CsvEvent): void {
    if (e.kind === "header") {
      this.header = e.cells;
      this.prevEnd = e.endByte;
      this.prevLine = 1;
      return;
    }
    if (e.kind === "bad") {
      this.bad++;
      if (this.badLines.length < BAD_LINES_KEPT) this.badLines.push({ line: e.line, reason: e.reason });
      if (this.current) this.current.endByte = e.endByte;
      this.prevEnd = e.endByte;
      this.prevLine = e.line;
      return;
    }
    this.rows++;
    const t = e.timeS;
    let r = this.current;
    if (r === null || Math.abs(t - this.latestS) > this.breakS) {
      r = { index: this.recordings.length, startByte: this.prevEnd, endByte: e.endByte, firstLine: this.prevLine + 1, rows: 0, startS: t, endS: t, gaps: [] };
      this.recordings.push(r);
      this.current = r;
      this.latestS = t;
      this.idsHere = new Set();
    }
    if (t < this.latestS) this.outOfOrder++;
    else if (t - this.latestS > this.gapS) r.gaps.push([this.latestS, t]);
    if (t > this.latestS) this.latestS = t;
    if (t < r.startS) r.startS = t;
    if (t > r.endS) r.endS = t;
    r.rows++;
    r.endByte = e.endByte;
    this.prevEnd = e.endByte;
    this.prevLine = e.line;
    const id = e.point.droneId;
    if (!this.idsHere.has(id)) {
      this.idsHere.add(id);
      this.drones++;
      if (!this.firstRecording.has(id)) this.firstRecording.set(id, r.index);
      else this.shared.add(id);
    }
  }

  result(): ScanResult {
    return {
      header: this.header,
      rows: this.rows,
      recordings: this.recordings,
      bad: this.bad,
      badLines: this.badLines,
      outOfOrder: this.outOfOrder,
      drones: this.drones,
      firstRecordingOf: this.firstRecording,
      sharedIds: this.shared.size,
    };
  }
}

/**
 * The id a drone is replayed under: its own in the first recording it appears in; in a later one
 * `id~N` (N its 1-based recording number) when recordings are replayed side by side, so the same
 * aircraft flown on two days does not become one drone in two places.
 */
export function replayedId(id: string, recording: number, firstRecordingOf: ReadonlyMap<string, number>, aligned: boolean): string {
  if (!aligned) return id;
  const first = firstRecordingOf.get(id);
  return first === undefined || first === recording ? id : `${id}~${recording + 1}`;
}
