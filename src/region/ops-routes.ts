/**
 * The region's read path for operators (`/v1/regions/:region/…` in the gateway, behind the ops token):
 * drones, metrics, events, alerts and stats of one region object, as JSON. Drones, events and alerts
 * are the operator's fleet's (`fleet=`, set by the gateway from the token); metrics and stats are the
 * shared sky's aggregates, counts without ids (docs/security.md).
 */
import type { RegionCore } from "../detect/region-core.js";
import type { RegionStore } from "./region-store.js";
import { FLEET_ALL, fleetSees } from "../wire/fleet-key.js";

/** The `fleet/` prefix of the operator's drones, "" for an all-fleets operator (or a caller inside the edge). */
export function fleetPrefixOf(params: URLSearchParams): string {
  const fleet = params.get("fleet") ?? FLEET_ALL;
  return fleet === FLEET_ALL ? "" : `${fleet}/`;
}

export interface OpsSource {
  region: string;
  core: RegionCore;
  store: RegionStore;
  /** Sockets of gateway links open now. */
  links: number;
  stats: Readonly<Record<string, number | number[]>>;
  /** Writes the audit rows that wait for the tick, so that `alerts` shows everything sent. */
  flushAudit(): void;
}

/** The response for an ops path (the live stream and tracks are src/region/ops-stream.ts's), or 404. `since` defaults to a minute ago, `limit` to an hour of rows (at most a day). */
export function opsResponse(pathname: string, params: URLSearchParams, s: OpsSource, nowMs: number): Response {
  const since = Number(params.get("since") ?? nowMs - 60_000);
  // A negative LIMIT means "no limit" to SQLite: anything not a positive number takes the default.
  const limitRaw = Math.floor(Number(params.get("limit") ?? 3600));
  const limit = limitRaw > 0 ? Math.min(limitRaw, 86_400) : 3600;
  const region = s.region;
  const fleet = params.get("fleet") ?? FLEET_ALL;
  switch (pathname) {
    case "/ops/drones":
      return Response.json({ region, now: nowMs, drones: s.core.space.homeDrones().filter((d) => fleetSees(fleet, d.droneId)) });
    case "/ops/metrics":
      return Response.json({ region, metrics: s.store.metricsSince(since, limit) });
    case "/ops/events":
      return Response.json({ region, events: s.store.events.since(since, limit, fleetPrefixOf(params)) });
    case "/ops/alerts":
      s.flushAudit();
      return alertsPage(region, params, s.store, since, limit);
    case "/ops/stats":
      return Response.json({ region, links: s.links, activeAlerts: s.core.activeAlerts(), ...s.stats });
    default:
      return new Response("not found", { status: 404 });
  }
}

/**
 * `/ops/alerts?drone=&since=&until=&limit=&after=`: audit rows oldest first; `next` is the `after` of
 * the following page (null on the last). Bad numbers fall back to the defaults: bad input never fails.
 */
function alertsPage(region: string, params: URLSearchParams, store: RegionStore, since: number, limit: number): Response {
  const until = Number(params.get("until") ?? Number.NaN);
  const after = Math.floor(Number(params.get("after") ?? 0));
  const drone = params.get("drone") || null;
  if (drone !== null && drone.length > 128) return Response.json({ error: "bad_drone", detail: "drone keys are 1-128 characters" }, { status: 400 });
  const q = {
    sinceMs: Number.isFinite(since) ? since : 0,
    untilMs: Number.isFinite(until) ? until : Number.MAX_VALUE,
    afterId: Number.isFinite(after) && after > 0 ? after : 0,
    droneId: drone,
    limit,
    fleetPrefix: fleetPrefixOf(params),
  };
  const alerts = store.alertsPage(q);
  const last = alerts[alerts.length - 1];
  return Response.json({ region, alerts, next: alerts.length === q.limit && last ? Number(last.id) : null });
}
