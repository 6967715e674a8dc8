/**
 * Worker entry of the bare-transport baseline: the real gateway app and RegionDirectory, with a region
 * object that only counts and acks (bare-region.ts). `npm run bench` runs it under wrangler dev with a
 * generated config (bareWranglerConfig) next to the real edge, so the two are measured in the same run.
 */
import { createApp } from "../../src/gateway/app.js";

export { RegionDirectory } from "../../src/region/region-directory.js";
export { BareRegionObject } from "./bare-region.js";

export default createApp();
