/**
 * Optional map tiles under the sky, from a tile server the operator names on the page (e.g. their own
 * OpenStreetMap server): none unless a tile URL is set, so by default the page asks nothing of any
 * other origin. Web Mercator tiles (`{z}/{x}/{y}`) are drawn into the local metric projection
 * (local-view.ts) corner to corner: the corners land exactly, and inside one tile at the zoom picked
 * here the two projections differ by far less than a pixel. No DOM here (tile-layer.ts draws).
 */
import type { LocalView } from "./local-view.js";

/** Web Mercator ground metres per pixel of a 256 px tile at zoom 0 on the equator. */
const Z0_METRES_PER_PX = 156_543.033_92;
export const MAX_TILE_ZOOM = 19;
/** Tiles drawn at most per frame: a wide view takes a coarser zoom rather than hundreds of requests. */
export const MAX_TILES = 48;
const RAD = Math.PI / 180;

export interface TileRef {
  z: number;
  x: number;
  y: number;
}

export interface TileBounds {
  north: number;
  south: number;
  west: number;
  east: number;
}

/** The template as typed, trimmed, when it is an http(s) URL with {z}, {x} and {y}; else null. */
export function parseTileTemplate(text: string): string | null {
  const t = text.trim();
  if (!t.includes("{z}") || !t.includes("{x}") || !t.includes("{y}")) return null;
  try {
    const u = new URL(t.replace(/\{[xyz]\}/g, "0"));
    return u.protocol === "https:" || u.protocol === "http:" ? t : null;
  } catch {
    return null;
  }
}

export function tileUrl(template: string, t: TileRef): string {
  return template.replace("{z}", String(t.z)).replace("{x}", String(t.x)).replace("{y}", String(t.y));
}

/** The zoom whose tile pixels are closest to the view's ground metres per pixel at `lat`. */
export function tileZoom(metresPerPx: number, lat: number): number {
  const z = Math.round(Math.log2((Z0_METRES_PER_PX * Math.cos(lat * RAD)) / metresPerPx));
  return Number.isFinite(z) ? Math.max(0, Math.min(MAX_TILE_ZOOM, z)) : 0;
}

export function tileX(lon: number, z: number): number {
  return Math.floor(((lon + 180) / 360) * 2 ** z);
}

export function tileY(lat: number, z: number): number {
  const clamped = Math.max(-85.051_128, Math.min(85.051_128, lat)) * RAD;
  const y = Math.floor(((1 - Math.log(Math.tan(clamped) + 1 / Math.cos(clamped)) / Math.PI) / 2) * 2 ** z);
  return Math.max(0, Math.min(2 ** z - 1, y));
}

export function tileBounds(t: TileRef): TileBounds {
  const n = 2 ** t.z;
  const lat = (y: number) => Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / n))) / RAD;
  return { north: lat(t.y), south: lat(t.y + 1), west: (t.x / n) * 360 - 180, east: ((t.x + 1) / n) * 360 - 180 };
}

/** The tiles covering the view, at the zoom matching its scale or coarser (at most `max` tiles). */
export function visibleTiles(view: LocalView, max = MAX_TILES): TileRef[] {
  const nw = view.fromPx(0, 0);
  const se = view.fromPx(view.width, view.height);
  for (let z = tileZoom(view.metresPerPx, view.centreLat); z >= 0; z--) {
    const x0 = tileX(nw.lon, z);
    const x1 = tileX(se.lon, z);
    const y0 = tileY(nw.lat, z);
    const y1 = tileY(se.lat, z);
    if ((x1 - x0 + 1) * (y1 - y0 + 1) > max) continue;
    const n = 2 ** z;
    const out: TileRef[] = [];
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) out.push({ z, x: ((x % n) + n) % n, y });
    return out;
  }
  return [];
}
