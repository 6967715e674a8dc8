/** Worker entry: the gateway app, the event export's queue consumer and the Durable Object classes, nothing else. */
import { createApp } from "./gateway/app.js";
import { deliverEvents } from "./gateway/event-delivery.js";
import type { Env } from "./env.js";

export { RegionObject } from "./region/region-object.js";
export { RegionDirectory } from "./region/region-directory.js";
export { IngestHub } from "./hub/ingest-hub.js";
export { FleetQuota } from "./fleet/fleet-quota.js";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: deliverEvents,
} satisfies ExportedHandler<Env>;
