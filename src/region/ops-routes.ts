/**
 * The region's read path for operators (`/v1/regions/:region/…` in the gateway, behind the ops token):
 * drones, metrics, events, alerts and stats of one region object, as JSON.
 */
import type { RegionCore } from "../detect/region-core.js";
import type { RegionStore } from "./region-store.js";

export interface OpsSource {
  region: string;
  core: RegionCore;
  store: RegionStore;
  /** Sockets of gateway links open now. */
  links: number;
  stats: Readonly<Record<string, number>>;
  /** Writes the audit rows that wait for the tick, so that `alerts` shows everything sent. */
  flushAudit(): void;
}

/** The response for an ops path, or 404. `since` defaults to a minute ago, `limit` to an hour of rows (at most a day). */
export function opsResponse(pathname: string, params: URLSearchParams, s: OpsSource, nowMs: number): Response {
  const since = Number(params.get("since") ?? nowMs - 60_000);
  const limit = Math.min(Number(params.get("limit") ?? 3600) || 3600, 86_400);
  const region = s.region;
  switch (pathname) {
    case "/ops/drones":
      return Response.json({ region, now: nowMs, drones: s.core.space.homeDrones() });
    case "/ops/metrics":
      return Response.json({ region, metrics: s.store.metricsSince(since, limit) });
    case "/ops/events":
      return Response.json({ region, events: s.store.eventsSince(since, limit) });
    case "/ops/alerts":
      s.flushAudit();
      return Response.json({ region, alerts: s.store.alertsSince(since, limit) });
    case "/ops/stats":
      return Response.json({ region, links: s.links, activeAlerts: s.core.activeAlerts(), ...s.stats });
    default:
      return new Response("not found", { status: 404 });
  }
}
