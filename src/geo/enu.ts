/**
 * Local east-north-up geometry on a spherical earth. Conflict prediction works in a tangent plane
 * centred on one drone of a pair (an orthographic projection, the same model as the reference that
 * labels ../shared/data/encounters-public.jsonl), so metres mean the same thing here as there.
 */

/** Sphere radius, metres: the reference's, so near-tangent encounters land on the same side of R. */
export const EARTH_RADIUS_M = 6_366_707.02;
export const DEG = Math.PI / 180;

/**
 * East and north offsets (m) of point (lat, lon) in the tangent plane at (lat0, lon0), written into
 * `out` to avoid allocating on hot paths. Takes sin/cos of the latitudes so callers can cache them.
 */
export function enuOffsetTrig(sinLat0: number, cosLat0: number, lon0: number, sinLat: number, cosLat: number, lon: number, out: Float64Array): void {
  const dl = (lon - lon0) * DEG;
  const cdl = Math.cos(dl);
  out[0] = EARTH_RADIUS_M * cosLat * Math.sin(dl);
  out[1] = EARTH_RADIUS_M * (cosLat0 * sinLat - sinLat0 * cosLat * cdl);
}

/** East and north offsets (m) of (lat, lon) seen from (lat0, lon0). */
export function enuOffset(lat0: number, lon0: number, lat: number, lon: number): [number, number] {
  const out = new Float64Array(2);
  enuOffsetTrig(Math.sin(lat0 * DEG), Math.cos(lat0 * DEG), lon0, Math.sin(lat * DEG), Math.cos(lat * DEG), lon, out);
  return [out[0]!, out[1]!];
}

/** The point at east/north offsets (m) from (lat0, lon0): inverse of enuOffset. */
export function fromEnu(lat0: number, lon0: number, east: number, north: number): { lat: number; lon: number } {
  const rho = Math.hypot(east, north);
  if (rho === 0) return { lat: lat0, lon: lon0 };
  const f0 = lat0 * DEG;
  const c = Math.asin(Math.min(1, rho / EARTH_RADIUS_M));
  const lat = Math.asin(Math.cos(c) * Math.sin(f0) + (north * Math.sin(c) * Math.cos(f0)) / rho);
  const lon = lon0 * DEG + Math.atan2(east * Math.sin(c), rho * Math.cos(f0) * Math.cos(c) - north * Math.sin(f0) * Math.sin(c));
  return { lat: lat / DEG, lon: lon / DEG };
}

/** Metres per degree of latitude, and of longitude at `lat`: for coarse, cheap distances (grids, halos). */
export function metresPerDegree(lat: number): { lat: number; lon: number } {
  const m = EARTH_RADIUS_M * DEG;
  return { lat: m, lon: m * Math.cos(lat * DEG) };
}

/** North/east velocity (m/s) from ground speed (m/s) and track (degrees clockwise from true north). */
export function velocityFromTrack(speedMps: number, trackDeg: number): { vn: number; ve: number } {
  const t = trackDeg * DEG;
  return { vn: speedMps * Math.cos(t), ve: speedMps * Math.sin(t) };
}
