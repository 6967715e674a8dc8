/** Where and how often scenario 3's workloads report: each group in a region cell of its own, so that cell's count is the group's. */
import { regionOf } from "../../../src/geo/regions.js";

export const HZ = 10;
export const HOME = regionOf(48.8566, 2.3522, 4);
/** A cell ~45 km east of HOME: the hovering half's own region. */
export const HOVER_HOME = regionOf(48.8566, 2.3522 + 0.6, 4);
/** The stretch workload's cells: ~45 km west of HOME (isolated drones) and ~40 km north (dense). */
export const ISOLATED_HOME = regionOf(48.8566, 2.3522 - 0.6, 4);
export const DENSE_HOME = regionOf(48.8566 + 0.35, 2.3522, 4);
