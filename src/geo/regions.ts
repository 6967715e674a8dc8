/**
 * Region routing: a drone's home region is the geohash cell (opts.regionPrecision characters) holding
 * its position, and points near a cell border are also sent as ghosts to the neighbouring cells whose
 * area lies within the halo (ARCHITECTURE.md: halo ≥ R + 2·vmax·T). Used by the gateway session.
 */
import { DEG, EARTH_RADIUS_M, metresPerDegree } from "./enu.js";

const BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz";
/** Char code → 5-bit value, -1 for characters that are not geohash digits. */
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < 32; i++) {
  DECODE[BASE32.charCodeAt(i)] = i;
  DECODE[BASE32.toUpperCase().charCodeAt(i)] = i;
}

/** Longest key supported: 12 characters = 30 longitude bits, still safe for 32-bit shifts. */
export const MAX_PRECISION = 12;
/**
 * Keys cached by (precision, cell). Bounded: cleared when full. Consecutive points of a drone nearly
 * always fall in the same cell, so a small cache avoids building the same string again and again.
 */
const CACHE_LIMIT = 4096;
const keyCache = new Map<number, string>();
const M_PER_DEG = metresPerDegree(0).lat;

export interface RegionBounds {
  south: number;
  north: number;
  west: number;
  east: number;
}

function checkPrecision(precision: number): void {
  if (!Number.isInteger(precision) || precision < 1 || precision > MAX_PRECISION)
    throw new RangeError(`region precision must be an integer 1..${MAX_PRECISION}, got ${precision}`);
}

/** Geohash interleaves 5·p bits starting with longitude: ceil(5p/2) longitude bits, floor(5p/2) latitude bits. */
function lonBitsOf(precision: number): number {
  return (5 * precision + 1) >> 1;
}
function latBitsOf(precision: number): number {
  return (5 * precision) >> 1;
}
/** Per precision: rows, columns, cell height and width in degrees (no Math.pow on the hot path). */
const ROWS = new Float64Array(MAX_PRECISION + 1);
const COLS = new Float64Array(MAX_PRECISION + 1);
const CELL_H = new Float64Array(MAX_PRECISION + 1);
const CELL_W = new Float64Array(MAX_PRECISION + 1);
for (let p = 1; p <= MAX_PRECISION; p++) {
  ROWS[p] = 2 ** latBitsOf(p);
  COLS[p] = 2 ** lonBitsOf(p);
  CELL_H[p] = 180 / ROWS[p]!;
  CELL_W[p] = 360 / COLS[p]!;
}

/**
 * Index of the slice holding x among n equal slices of width w starting at lo. `x - lo` can round
 * onto an edge (−5e-324 + 180 = 180), so the guess is corrected against the edges themselves, which
 * are exact dyadic numbers: the result is the textbook bisection's, bit for bit.
 */
function sliceIndex(x: number, lo: number, w: number, n: number): number {
  let i = Math.floor((x - lo) / w);
  if (i < 0) i = 0;
  else if (i >= n) i = n - 1;
  if (i > 0 && x < lo + i * w) i--;
  else if (i < n - 1 && x >= lo + (i + 1) * w) i++;
  return i;
}

/** Row of the cell holding `lat` (clamped to the poles). */
function latIndex(lat: number, precision: number): number {
  return sliceIndex(lat, -90, CELL_H[precision]!, ROWS[precision]!);
}

/** Column of the cell holding `lon` (any value, wrapped into [-180, 180)). */
function lonIndex(lon: number, precision: number): number {
  if (lon < -180 || lon >= 180) lon = ((((lon + 180) % 360) + 360) % 360) - 180;
  return sliceIndex(lon, -180, CELL_W[precision]!, COLS[precision]!);
}

/** The geohash string of cell (row, col); interleaving bit k is longitude when k is even. */
let lastRow = -1;
let lastCol = -1;
let lastPrecision = -1;
let lastKey = "";

function keyOf(row: number, col: number, precision: number): string {
  // A drone's consecutive points nearly always share a cell: remember the last answer.
  if (row === lastRow && col === lastCol && precision === lastPrecision) return lastKey;
  const key = buildKey(row, col, precision);
  lastRow = row;
  lastCol = col;
  lastPrecision = precision;
  lastKey = key;
  return key;
}

function buildKey(row: number, col: number, precision: number): string {
  const cacheable = precision <= 8; // 40 bits of cell + 4 of precision stay exact in a double
  const latBits = latBitsOf(precision);
  const lonBits = lonBitsOf(precision);
  const id = cacheable ? (row * COLS[precision]! + col) * 16 + precision : -1;
  if (cacheable) {
    const hit = keyCache.get(id);
    if (hit !== undefined) return hit;
  }
  let key = "";
  let lonLeft = lonBits;
  let latLeft = latBits;
  for (let c = 0; c < precision; c++) {
    let v = 0;
    for (let b = 0; b < 5; b++) {
      const k = c * 5 + b;
      const bit = (k & 1) === 0 ? (col >>> --lonLeft) & 1 : (row >>> --latLeft) & 1;
      v = (v << 1) | bit;
    }
    key += BASE32[v];
  }
  if (cacheable) {
    if (keyCache.size >= CACHE_LIMIT) keyCache.clear();
    keyCache.set(id, key);
  }
  return key;
}

/** Row and column of a key's cell, written into `out` ([row, col]); throws on a malformed key. */
function cellOf(key: string, out: Float64Array): void {
  const precision = key.length;
  checkPrecision(precision);
  let row = 0;
  let col = 0;
  for (let c = 0; c < precision; c++) {
    const code = key.charCodeAt(c);
    const v = code < 128 ? DECODE[code]! : -1;
    if (v < 0) throw new RangeError(`not a geohash region key: ${JSON.stringify(key)}`);
    for (let b = 4; b >= 0; b--) {
      const bit = (v >> b) & 1;
      if (((c * 5 + 4 - b) & 1) === 0) col = col * 2 + bit;
      else row = row * 2 + bit;
    }
  }
  out[0] = row;
  out[1] = col;
}

const scratchCell = new Float64Array(2);

/** The region key (geohash of `precision` characters) of the cell holding (lat, lon). */
export function regionOf(lat: number, lon: number, precision: number): string {
  checkPrecision(precision);
  return keyOf(latIndex(lat, precision), lonIndex(lon, precision), precision);
}

/** The cell's edges in degrees. */
export function regionBounds(key: string): RegionBounds {
  cellOf(key, scratchCell);
  const h = CELL_H[key.length]!;
  const w = CELL_W[key.length]!;
  const south = -90 + scratchCell[0]! * h;
  const west = -180 + scratchCell[1]! * w;
  return { south, north: south + h, west, east: west + w };
}

export function regionCenter(key: string): { lat: number; lon: number } {
  const b = regionBounds(key);
  return { lat: (b.south + b.north) / 2, lon: (b.west + b.east) / 2 };
}

/** Area of the cell on our sphere, km²: R²·Δλ·(sin φn − sin φs). */
export function regionAreaKm2(key: string): number {
  const b = regionBounds(key);
  const r = EARTH_RADIUS_M / 1000;
  return r * r * (b.east - b.west) * DEG * (Math.sin(b.north * DEG) - Math.sin(b.south * DEG));
}

/**
 * Lower bound (m) on the distance from a point to any point whose latitude differs by at least dLat
 * degrees and longitude by at least dLon degrees, when every latitude involved has |φ| ≤ φmax.
 * Haversine: sin²(θ/2) ≥ sin²(Δφ/2) + cos²φmax·sin²(Δλ/2); with θ/2 ≥ sin(θ/2) and
 * 2·sin(x/2) ≥ x − x³/24 this needs no trigonometry. (Δλ·cos φ alone would overestimate: a meridian
 * is nearer than that by a hair, and a halo must never miss a cell.)
 */
function lowerBoundM(dLatDeg: number, dLonDeg: number, cosPhiMax: number): number {
  const x = dLatDeg * DEG;
  const y = (dLonDeg < 180 ? dLonDeg : 180) * DEG;
  const a = x - (x * x * x) / 24;
  const b = cosPhiMax * (y - (y * y * y) / 24);
  return EARTH_RADIUS_M * (b === 0 ? a : a === 0 ? b : Math.sqrt(a * a + b * b));
}

let memoRow = -1;
let memoPrecision = -1;
let memoHaloM = NaN;
let memoCos = 0;

/**
 * cos φmax for any point of cell row `row`: every point within haloM lies within haloM/M_PER_DEG
 * degrees of latitude, and the most poleward such latitude has the shortest degree of longitude,
 * which keeps the E/W bound a lower bound. Taken from the row's poleward edge (slightly more
 * conservative than the point's own latitude) so that it can be remembered per row: no cosine per call.
 */
function cosPoleward(row: number, precision: number, haloM: number): number {
  if (row === memoRow && precision === memoPrecision && haloM === memoHaloM) return memoCos;
  const south = -90 + row * CELL_H[precision]!;
  const edge = Math.max(Math.abs(south), Math.abs(south + CELL_H[precision]!));
  const phiMax = Math.min(90, edge + haloM / M_PER_DEG);
  memoCos = phiMax >= 90 ? 0 : Math.cos(phiMax * DEG);
  memoRow = row;
  memoPrecision = precision;
  memoHaloM = haloM;
  return memoCos;
}

/**
 * The neighbouring region keys whose cell lies within haloM metres of (lat, lon): 0 to 3 of them (the
 * side neighbours, and the diagonal one only when both of its sides are in). Written into `out`,
 * which is cleared first and returned. Conservative: a neighbour a hair beyond haloM may be listed,
 * one within it never missed, as long as haloM is smaller than the cell (check with maxHaloM).
 * Longitude wraps at the antimeridian. At a pole row there is no neighbour across the pole (the cells
 * around a pole meet in a point); E/W neighbours there are included whenever the halo reaches the pole.
 */
export function haloRegions(lat: number, lon: number, precision: number, haloM: number, out: string[]): string[] {
  checkPrecision(precision);
  if (out.length !== 0) out.length = 0; // setting length is a runtime call even when it is 0
  if (!(haloM > 0)) return out;
  const rows = ROWS[precision]!;
  const cols = COLS[precision]!;
  const row = latIndex(lat, precision);
  const col = lonIndex(lon, precision);
  if (lat > 90) lat = 90;
  else if (lat < -90) lat = -90;
  if (lon < -180 || lon >= 180) lon = ((((lon + 180) % 360) + 360) % 360) - 180;
  const h = CELL_H[precision]!;
  const w = CELL_W[precision]!;
  const south = -90 + row * h;
  const west = -180 + col * w;
  const cosPhiMax = cosPoleward(row, precision, haloM);
  const dS = Math.max(0, lat - south);
  const dN = Math.max(0, south + h - lat);
  const dW = Math.max(0, lon - west);
  const dE = Math.max(0, west + w - lon);
  // Vertical neighbour: the nearer of north/south (a halo larger than half the cell is out of scope).
  let vRow = -1;
  let vDeg = 0;
  if (dN <= dS) {
    if (row + 1 < rows && lowerBoundM(dN, 0, 1) <= haloM) {
      vRow = row + 1;
      vDeg = dN;
    }
  } else if (row > 0 && lowerBoundM(dS, 0, 1) <= haloM) {
    vRow = row - 1;
    vDeg = dS;
  }
  let hCol = -1;
  let hDeg = 0;
  if (cols > 1) {
    if (dE <= dW) {
      if (lowerBoundM(0, dE, cosPhiMax) <= haloM) {
        hCol = (col + 1) % cols;
        hDeg = dE;
      }
    } else if (lowerBoundM(0, dW, cosPhiMax) <= haloM) {
      hCol = (col - 1 + cols) % cols;
      hDeg = dW;
    }
  }
  if (vRow >= 0) out.push(keyOf(vRow, col, precision));
  if (hCol >= 0) out.push(keyOf(row, hCol, precision));
  if (vRow >= 0 && hCol >= 0 && lowerBoundM(vDeg, hDeg, cosPhiMax) <= haloM) out.push(keyOf(vRow, hCol, precision));
  return out;
}

/**
 * The largest halo (m) that haloRegions handles exactly at latitude `lat`: half the cell's smaller
 * side there. Beyond it a point could reach past the immediate neighbours (e.g. precision 6, or a
 * precision-4 cell above ~87° of latitude), so the shell should check it at start-up.
 */
export function maxHaloM(precision: number, lat: number): number {
  checkPrecision(precision);
  const m = metresPerDegree(Math.min(90, Math.abs(lat)));
  const h = CELL_H[precision]! * m.lat;
  const w = CELL_W[precision]! * m.lon;
  return Math.min(h, w) / 2;
}
