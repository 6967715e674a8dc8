/**
 * A single object that remembers which regions were active recently, because a stateless Worker
 * cannot enumerate Durable Objects. Each region reports itself at most once a minute from its alarm.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";
import { DIRECTORY_ACTIVE_MS } from "../tunables.js";

export class RegionDirectory extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS regions (region TEXT PRIMARY KEY, last_active_ms REAL NOT NULL, drones INTEGER NOT NULL)");
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const now = Date.now();
    if (request.method === "POST" && url.pathname === "/report") {
      const body = (await request.json()) as { region?: unknown; drones?: unknown };
      if (typeof body.region !== "string" || typeof body.drones !== "number") return new Response("bad report", { status: 400 });
      this.ctx.storage.sql.exec("INSERT OR REPLACE INTO regions (region, last_active_ms, drones) VALUES (?, ?, ?)", body.region, now, body.drones);
      this.ctx.storage.sql.exec("DELETE FROM regions WHERE last_active_ms < ?", now - 24 * DIRECTORY_ACTIVE_MS);
      return new Response(null, { status: 204 });
    }
    if (url.pathname === "/regions") {
      const rows = this.ctx.storage.sql
        .exec("SELECT region, last_active_ms, drones FROM regions WHERE last_active_ms >= ? ORDER BY region", now - DIRECTORY_ACTIVE_MS)
        .toArray();
      return Response.json({ regions: rows });
    }
    return new Response("not found", { status: 404 });
  }
}
