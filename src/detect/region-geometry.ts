/**
 * Where a region lies: the origin of its local plane (grid and heatmap) and its area (fleet density).
 * A geohash key knows both; a test or benchmark region without one takes its first point as origin.
 */
import { regionAreaKm2, regionCenter } from "../geo/regions.js";

export interface RegionGeometry {
  originLat: number;
  originLon: number;
  areaKm2: number;
}

/** Centre and area of a geohash region cell, or null when the key is not one. */
export function geohashGeometry(key: string): RegionGeometry | null {
  try {
    const c = regionCenter(key);
    return { originLat: c.lat, originLon: c.lon, areaKm2: regionAreaKm2(key) };
  } catch {
    return null;
  }
}
