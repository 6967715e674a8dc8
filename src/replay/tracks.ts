/**
 * Position-report CSVs for the replay tool: columns are found by header name (our own names, or an
 * OpenSky state-vector export's), rows become client points in SI units, grouped by time so rows
 * measured together are sent together.
 */
import { velocityFromTrack } from "../geo/enu.js";
import type { ClientPoint } from "../client/wire.js";

/** Accepted header names per field, first match wins. */
export const COLUMN_NAMES = {
  time: ["time", "time_s"],
  id: ["id", "icao24"],
  lat: ["lat"],
  lon: ["lon"],
  alt: ["alt_m", "geoaltitude", "baroaltitude"],
  speed: ["velocity", "speed_mps"],
  track: ["heading", "track_deg"],
  vs: ["vertrate", "vs_mps"],
  battery: ["battery"],
} as const;

type Field = keyof typeof COLUMN_NAMES;
const REQUIRED: Field[] = ["time", "id", "lat", "lon", "alt", "speed", "track", "vs"];

export interface TrackRow {
  /** Measurement time, Unix seconds (fractional allowed). */
  timeS: number;
  point: ClientPoint & { droneId: string };
}

export interface ParsedTracks {
  rows: TrackRow[];
  /** Rows skipped, with the first reason per kind, so the user learns why. */
  skipped: number;
  skipReasons: string[];
  columns: Record<Field, string | null>;
}

export class CsvFormatError extends Error {
  override name = "CsvFormatError";
}

function splitCsvLine(line: string): string[] {
  // Plain CSV without quoted commas covers both our format and OpenSky's; quotes are stripped.
  return line.split(",").map((c) => c.trim().replace(/^"(.*)"$/, "$1"));
}

/** Parses a CSV; `idColumn` overrides which header names the track (e.g. OpenSky samples' `sample`). */
export function parseTracksCsv(text: string, idColumn?: string): ParsedTracks {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines.length === 0) throw new CsvFormatError("empty CSV");
  const header = splitCsvLine(lines[0]!).map((h) => h.toLowerCase());
  const columns = {} as Record<Field, string | null>;
  const index = {} as Record<Field, number>;
  for (const field of Object.keys(COLUMN_NAMES) as Field[]) {
    const names: readonly string[] = field === "id" && idColumn ? [idColumn.toLowerCase()] : COLUMN_NAMES[field];
    const i = header.findIndex((h) => names.includes(h));
    columns[field] = i >= 0 ? header[i]! : null;
    index[field] = i;
  }
  const missing = REQUIRED.filter((f) => index[f] < 0);
  if (missing.length > 0)
    throw new CsvFormatError(
      `CSV header lacks ${missing.map((f) => `${f} (${(f === "id" && idColumn ? [idColumn] : COLUMN_NAMES[f]).join(" or ")})`).join(", ")}`,
    );

  const rows: TrackRow[] = [];
  const reasons = new Map<string, string>();
  let skipped = 0;
  for (let n = 1; n < lines.length; n++) {
    const c = splitCsvLine(lines[n]!);
    const num = (f: Field) => (index[f] >= 0 && c[index[f]] !== "" ? Number(c[index[f]]) : NaN);
    const timeS = num("time");
    const id = c[index.id] ?? "";
    const lat = num("lat");
    const lon = num("lon");
    const altM = num("alt");
    const speed = num("speed");
    const track = num("track");
    const vs = num("vs");
    const bad = !id ? "no id" : [timeS, lat, lon, altM, speed, track, vs].some((x) => !Number.isFinite(x)) ? "a missing or non-numeric field" : null;
    if (bad) {
      skipped++;
      if (!reasons.has(bad)) reasons.set(bad, `line ${n + 1}: ${bad}`);
      continue;
    }
    const { vn, ve } = velocityFromTrack(speed, track);
    const battery = num("battery");
    rows.push({
      timeS,
      point: { droneId: id, timeMs: Math.round(timeS * 1000), lat, lon, altM, vn, ve, vu: vs, ...(Number.isFinite(battery) ? { battery } : {}) },
    });
  }
  rows.sort((a, b) => a.timeS - b.timeS);
  return { rows, skipped, skipReasons: [...reasons.values()], columns };
}

/** Rows grouped by identical measurement time, in time order. */
export function groupByTime(rows: TrackRow[]): { timeS: number; rows: TrackRow[] }[] {
  const groups: { timeS: number; rows: TrackRow[] }[] = [];
  for (const r of rows) {
    const last = groups[groups.length - 1];
    if (last && last.timeS === r.timeS) last.rows.push(r);
    else groups.push({ timeS: r.timeS, rows: [r] });
  }
  return groups;
}

/**
 * The measurement time a replayed group is stamped with when shifted to now: the first group at
 * `startMs`, later ones compressed `speed` times (so a replay never reports from the future); at
 * speed Infinity ("max") the wall clock when the group goes out.
 */
export function replayStamp(groupTimeS: number, firstTimeS: number, startMs: number, speed: number, nowMs: number): number {
  return Number.isFinite(speed) ? Math.round(startMs + ((groupTimeS - firstTimeS) * 1000) / speed) : nowMs;
}
