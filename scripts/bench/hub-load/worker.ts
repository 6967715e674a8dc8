/**
 * Worker entry of the lone-region benchmark (scripts/bench/region-hub-load.ts): the real gateway app and
 * Durable Objects, plus two routes that reach a region object the way an ingest hub does
 * (`/bench/hub?region=&hub=`, the region's /hub) or a gateway link does (`/bench/link?region=&link=`, its
 * /link). Hubs and gateways reach a region by a stub inside the Worker, with no route from outside; these
 * exist only in the generated bench config (config.ts), never in wrangler.toml, and answer only a request
 * carrying the run's secret in `x-airspace-bench`. Nothing else runs JS in this workerd while the bench
 * drives it, so the process's CPU is the region's (plus the entry's native socket pass-through).
 */
import type { Env } from "../../../src/env.js";
import { createApp } from "../../../src/gateway/app.js";
import { deliverEvents } from "../../../src/gateway/event-delivery.js";

export { FleetQuota } from "../../../src/fleet/fleet-quota.js";
export { IngestHub } from "../../../src/hub/ingest-hub.js";
export { RegionDirectory } from "../../../src/region/region-directory.js";
export { RegionObject } from "../../../src/region/region-object.js";

const app = createApp();
const REGION = /^[0-9b-hjkmnp-z]{1,12}$/;

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname !== "/bench/hub" && url.pathname !== "/bench/link") return app.fetch(request, env, ctx);
    const secret = typeof env.AIRSPACE_JWT_SECRET === "string" ? env.AIRSPACE_JWT_SECRET : "";
    if (secret.length < 16 || request.headers.get("x-airspace-bench") !== secret) return new Response("forbidden", { status: 403 });
    const region = url.searchParams.get("region") ?? "";
    if (!REGION.test(region)) return new Response("region parameter required", { status: 400 });
    const stub = env.REGION.get(env.REGION.idFromName(region));
    return stub.fetch(`https://region${url.pathname.slice("/bench".length)}${url.search}`, { headers: { Upgrade: "websocket" } });
  },
  // wrangler.toml binds a consumer of the export queue: the entry must have the handler (nothing is exported here).
  queue: deliverEvents,
} satisfies ExportedHandler<Env>;
