/**
 * The pipeline's internal form of one position report: validated, in SI units and degrees. The wire's
 * fixed-point fields (src/gen) are converted once at the gateway's edge (frames.ts).
 */
export interface TelemetryPoint {
  droneId: string;
  /** Measurement time, Unix ms. */
  timeMs: number;
  /** WGS84 degrees. */
  lat: number;
  lon: number;
  /** Metres above mean sea level. */
  altM: number;
  /** Velocity north, east and up (positive climbing), m/s. */
  vn: number;
  ve: number;
  vu: number;
  /** Battery percent 0-100, or -1 when unknown. */
  battery: number;
  /** Per-drone sequence number, or -1 when absent. */
  seq: number;
}
