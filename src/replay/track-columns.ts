/**
 * The columns of a position-report CSV, found by header name (our own names, or an OpenSky
 * state-vector export's), and one row's cells turned into a client point in SI units, or the reason
 * it cannot be. Pure: the streaming reader (csv-rows.ts) feeds it cells.
 */
import type { ClientPoint } from "../client/wire.js";
import { velocityFromTrack } from "../geo/enu.js";

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

export type Field = keyof typeof COLUMN_NAMES;
const REQUIRED: Field[] = ["time", "id", "lat", "lon", "alt", "speed", "track", "vs"];

export class CsvFormatError extends Error {
  override name = "CsvFormatError";
}

/** Where each field is: its header name (null when absent) and its cell index (-1). */
export interface Columns {
  names: Record<Field, string | null>;
  index: Record<Field, number>;
}

/** A point with its drone named, as a relay sends it. */
export type TrackPoint = ClientPoint & { droneId: string };

export type RowVerdict = { ok: true; timeS: number; point: TrackPoint } | { ok: false; reason: string };

/** Finds the fields in a header row; `idColumn` overrides which header names the track (e.g. `sample`). */
export function findColumns(header: readonly string[], idColumn?: string): Columns {
  const lower = header.map((h) => h.trim().toLowerCase());
  const names = {} as Record<Field, string | null>;
  const index = {} as Record<Field, number>;
  for (const field of Object.keys(COLUMN_NAMES) as Field[]) {
    const wanted: readonly string[] = field === "id" && idColumn ? [idColumn.toLowerCase()] : COLUMN_NAMES[field];
    const i = lower.findIndex((h) => wanted.includes(h));
    names[field] = i >= 0 ? lower[i]! : null;
    index[field] = i;
  }
  const missing = REQUIRED.filter((f) => index[f] < 0);
  if (missing.length > 0)
    throw new CsvFormatError(
      `CSV header lacks ${missing.map((f) => `${f} (${(f === "id" && idColumn ? [idColumn] : COLUMN_NAMES[f]).join(" or ")})`).join(", ")}`,
    );
  return { names, index };
}

/** One data row's cells → a point (speed and track become north/east velocity), or why not. */
export function rowToPoint(cells: readonly string[], c: Columns): RowVerdict {
  const num = (f: Field) => {
    const i = c.index[f];
    const s = i >= 0 ? cells[i] : undefined;
    return s === undefined || s.trim() === "" ? Number.NaN : Number(s);
  };
  const id = (cells[c.index.id] ?? "").trim();
  if (!id) return { ok: false, reason: "no drone id" };
  const timeS = num("time");
  const lat = num("lat");
  const lon = num("lon");
  const altM = num("alt");
  const speed = num("speed");
  const track = num("track");
  const vs = num("vs");
  for (const [name, x] of [
    ["time", timeS],
    ["lat", lat],
    ["lon", lon],
    ["altitude", altM],
    ["speed", speed],
    ["track", track],
    ["vertical rate", vs],
  ] as const)
    if (!Number.isFinite(x)) return { ok: false, reason: `${name} missing or not a number` };
  const { vn, ve } = velocityFromTrack(speed, track);
  const battery = num("battery");
  return {
    ok: true,
    timeS,
    point: { droneId: id, timeMs: Math.round(timeS * 1000), lat, lon, altM, vn, ve, vu: vs, ...(Number.isFinite(battery) ? { battery } : {}) },
  };
}
