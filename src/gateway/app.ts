/**
 * The gateway's HTTP surface (hono): health, the drone WebSocket endpoint and the ops read path.
 * Everything here is per request; module-level state holds plain data only (docs/platform.md).
 */
import { Hono, type Context } from "hono";
import { ConfigError, loadOptions, type Options } from "../config.js";
import type { Env } from "../env.js";
import { loadAuthSettings } from "./auth-settings.js";
import { chosenSubprotocol, extractToken, type Principal } from "./auth.js";
import { KeyConfigError, type KeyRing, keyRing, verifyToken } from "./credentials.js";
import { acquireConnection } from "./connection-caps.js";
import { fleetQuotaTable } from "./fleet-claim.js";
import { mountChaosRoutes } from "./chaos-routes.js";
import { DroneSession } from "./session.js";
import { settingsProblem } from "./deploy-guard.js";
import { droneTrack, opsFleetParams, type OpsProxyResult, opsStream } from "./ops-proxy.js";
import { log } from "../log.js";
import { FLEET_ALL } from "../wire/fleet-key.js";
import { tracingFor } from "../tracing/tracing.js";

export type AppEnv = { Bindings: Env; Variables: { options: Options; principal: Principal; ring: KeyRing } };

const optionsCache = new WeakMap<object, Options>();

function optionsFor(env: Env): Options {
  let o = optionsCache.get(env);
  if (!o) {
    o = loadOptions(env);
    optionsCache.set(env, o);
  }
  return o;
}

function jsonError(c: Context, status: 400 | 401 | 403 | 404 | 426 | 429 | 500 | 503, error: string, detail?: string) {
  return c.json({ error, ...(detail ? { detail } : {}) }, status);
}

export function createApp() {
  const app = new Hono<AppEnv>();

  app.onError((err, c) => {
    log("unhandled error", { path: c.req.path, error: String(err) }, "error");
    return jsonError(c, 500, "internal_error");
  });

  app.get("/healthz", (c) => c.json({ ok: true, service: "airspace", time: Date.now() }));

  // Everything below needs a configured deployment: never run open on missing or weak keys. Why is
  // logged, never told: the client is not authenticated yet (issue 11).
  app.use("/v1/*", async (c, next) => {
    const settings = loadAuthSettings(c.env);
    const problem = settingsProblem(settings);
    if (problem) {
      log(`${problem}: refusing all clients (wrangler secret put AIRSPACE_JWT_SECRET)`, {}, "error");
      return jsonError(c, 503, "not_configured");
    }
    try {
      c.set("options", optionsFor(c.env));
      tracingFor(c.env, c.get("options").traceSampleRatio); // an OTEL_* value that cannot be used is a bad configuration too
      c.set("ring", await keyRing(settings));
      fleetQuotaTable(c.env); // FLEET_QUOTAS: a bad one is refused here, like a bad option
    } catch (e) {
      if (e instanceof ConfigError || e instanceof KeyConfigError) {
        log("invalid configuration", { error: e.message }, "error");
        return jsonError(c, 503, "bad_configuration");
      }
      throw e;
    }
    const found = extractToken(c.req.raw.headers);
    if (!found) return jsonError(c, 401, "unauthorized", "missing bearer token");
    const auth = await verifyToken(found.token, c.get("ring"));
    if (!auth.ok) return jsonError(c, 401, "unauthorized", auth.error);
    c.set("principal", auth.principal);
    await next();
  });

  app.get("/v1/connect", (c) => {
    if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") return jsonError(c, 426, "upgrade_required", "connect with a WebSocket");
    const principal = c.get("principal");
    if (principal.role === "ops") return jsonError(c, 403, "forbidden", "ops tokens cannot send telemetry");
    const options = c.get("options");
    const release = acquireConnection(principal, options.tokenMaxConnections);
    if (!release) return jsonError(c, 429, "too_many_connections", `at most ${options.tokenMaxConnections} sockets per token`);
    const pair = new WebSocketPair();
    const client = pair[0];
    const server = pair[1];
    const ring = c.get("ring");
    const session = new DroneSession(server, principal, options, c.env, {
      waitUntil: (p) => c.executionCtx.waitUntil(p),
      verify: (token) => verifyToken(token, ring),
      onEnd: release,
    });
    session.start();
    const headers = new Headers();
    // A browser that offered airspace.v1 must get it back or it drops the connection; nobody else gets it.
    const protocol = chosenSubprotocol(c.req.raw.headers);
    if (protocol) headers.set("Sec-WebSocket-Protocol", protocol);
    return new Response(null, { status: 101, webSocket: client, headers });
  });

  const opsOnly = async (c: Context<AppEnv>, next: () => Promise<void>) => {
    if (c.get("principal").role !== "ops") return jsonError(c, 403, "forbidden", "needs a token with role ops");
    await next();
  };
  // Controls change the shared sky for every fleet (a region's hubs, fault injection): an all-fleets operator's.
  const allFleetsOnly = async (c: Context<AppEnv>, next: () => Promise<void>) => {
    const p = c.get("principal");
    if (p.role !== "ops" || p.fleet !== FLEET_ALL) return jsonError(c, 403, "forbidden", 'needs an ops token with fleet "*"');
    await next();
  };

  app.get("/v1/regions", opsOnly, async (c) => {
    const dir = c.env.DIRECTORY.get(c.env.DIRECTORY.idFromName("directory"));
    return dir.fetch(new Request("https://directory/regions"));
  });

  // The group keeps the alternation inside the segment: bare, hono matched "drones/x/track" and "metricsX" here.
  app.get("/v1/regions/:region/:view{(?:metrics|drones|events|alerts|stats)}", opsOnly, async (c) => {
    const region = c.req.param("region") ?? "";
    if (!/^[0-9b-hjkmnp-z]{1,12}$/.test(region)) return jsonError(c, 400, "bad_region", "region keys are geohashes");
    const stub = c.env.REGION.get(c.env.REGION.idFromName(region));
    const scoped = opsFleetParams(c.get("principal").fleet, new URL(c.req.url).searchParams);
    if (!scoped.ok) return jsonError(c, scoped.status, scoped.error, scoped.detail);
    return stub.fetch(new Request(`https://region/ops/${c.req.param("view") ?? ""}?region=${region}&${scoped.params}`));
  });

  // Pins how many ingest hubs a region's single-drone links use (`?hubs=K`, or `auto`: its policy decides).
  app.post("/v1/regions/:region/hubs", allFleetsOnly, async (c) => {
    const region = c.req.param("region") ?? "";
    if (!/^[0-9b-hjkmnp-z]{1,12}$/.test(region)) return jsonError(c, 400, "bad_region", "region keys are geohashes");
    const stub = c.env.REGION.get(c.env.REGION.idFromName(region));
    return stub.fetch(new Request(`https://region/ops/hubs?region=${region}&hubs=${encodeURIComponent(c.req.query("hubs") ?? "")}`));
  });

  // The operators' live view (src/gateway/ops-proxy.ts): the region's stream, a drone's recent track.
  const proxied = (c: Context<AppEnv>, r: OpsProxyResult) => (r.ok ? r.response : jsonError(c, r.status, r.error, r.detail));
  app.get("/v1/ops/stream", opsOnly, async (c) => proxied(c, await opsStream(c.env, c.req.raw, c.get("principal").fleet)));
  app.get("/v1/regions/:region/drones/:drone/track", opsOnly, async (c) =>
    proxied(c, await droneTrack(c.env, c.req.param("region") ?? "", c.req.param("drone") ?? "", new URL(c.req.url).searchParams, c.get("principal").fleet)),
  );

  // `npm run chaos` only: 404 unless CHAOS=1, which start-up refuses outside a local edge.
  mountChaosRoutes(app, allFleetsOnly);

  app.notFound((c) => jsonError(c, 404, "not_found"));
  return app;
}
