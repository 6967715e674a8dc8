/** Worker entry: the gateway app and the Durable Object classes, nothing else. */
import { createApp } from "./gateway/app.js";

export { RegionObject } from "./region/region-object.js";
export { RegionDirectory } from "./region/region-directory.js";
export { IngestHub } from "./hub/ingest-hub.js";
export { FleetQuota } from "./fleet/fleet-quota.js";

export default createApp();
