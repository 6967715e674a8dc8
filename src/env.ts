/**
 * Bindings and vars of the Worker and its objects (see wrangler.toml). Vars arrive as strings and are
 * parsed by config.ts.
 */
import type { RegionDirectory } from "./region/region-directory.js";
import type { RegionObject } from "./region/region-object.js";

export interface Env {
  REGION: DurableObjectNamespace<RegionObject>;
  DIRECTORY: DurableObjectNamespace<RegionDirectory>;
  /** Analytics Engine dataset; absent in some local setups, where the metrics sink records only. */
  METRICS?: AnalyticsEngineDataset;
  AIRSPACE_JWT_SECRET?: string;
  [variable: string]: unknown;
}
