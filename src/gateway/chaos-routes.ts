/**
 * The fault-injection routes of `npm run chaos` (scripts/chaos.ts), behind an all-fleets ops token and answered
 * only with CHAOS=1 (404 otherwise; src/config.ts refuses CHAOS=1 outside AIRSPACE_ENV local):
 *   POST /v1/chaos/regions/:region/restart                resets the region object (ctx.abort)
 *   POST /v1/chaos/regions/:region/fail-checkpoints?ms=   its checkpoints throw for `ms`
 *   POST /v1/chaos/links/cut                              every upstream link cuts its socket after its next batch
 *   GET  /v1/chaos/totals                                 what this isolate's sessions accepted and lost
 */
import type { Context, Hono, Next } from "hono";
import { log } from "../log.js";
import type { AppEnv } from "./app.js";
import { chaosTotals, requestLinkCut } from "./chaos-state.js";

const REGION = /^[0-9b-hjkmnp-z]{1,12}$/;

export function mountChaosRoutes(app: Hono<AppEnv>, allFleetsOnly: (c: Context<AppEnv>, next: Next) => Promise<Response | undefined>): void {
  app.use("/v1/chaos/*", async (c, next) => {
    if (c.get("options").chaos !== 1) return c.json({ error: "not_found" }, 404);
    await next();
  });

  app.post("/v1/chaos/regions/:region/:action{(?:restart|fail-checkpoints)}", allFleetsOnly, async (c) => {
    const region = c.req.param("region") ?? "";
    if (!REGION.test(region)) return c.json({ error: "bad_region" }, 400);
    const action = c.req.param("action") ?? "";
    const ms = new URL(c.req.url).searchParams.get("ms");
    const requestedMs = Date.now();
    try {
      const query = `region=${region}${ms === null ? "" : `&ms=${encodeURIComponent(ms)}`}`;
      return await regionStub(c, region).fetch(`https://region/chaos/${action}?${query}`, { method: "POST" });
    } catch (e) {
      // The object reset itself under the request: that is the restart asked for.
      if (action !== "restart") throw e;
      log("chaos: region restarted", { region, error: String(e) });
      return c.json({ region, restarted: true, requestedMs, answeredMs: Date.now() });
    }
  });

  app.post("/v1/chaos/links/cut", allFleetsOnly, (c) => c.json({ generation: requestLinkCut() }));

  app.get("/v1/chaos/totals", allFleetsOnly, (c) => c.json(chaosTotals()));
}

function regionStub(c: Context<AppEnv>, region: string) {
  return c.env.REGION.get(c.env.REGION.idFromName(region));
}
