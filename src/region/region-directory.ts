/**
 * A single object that remembers which regions were active recently, because a stateless Worker
 * cannot enumerate Durable Objects. Each region reports itself at most once a minute from its alarm,
 * with what the operators' overview shows of it: drones, points applied a second, open conflicts.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";
import { DIRECTORY_ACTIVE_MS } from "../tunables.js";
import { migrate } from "./schema.js";

const DIRECTORY_MIGRATIONS: readonly string[] = [
  // 1: the table as first deployed (before the migrations table: IF NOT EXISTS).
  "CREATE TABLE IF NOT EXISTS regions (region TEXT PRIMARY KEY, last_active_ms REAL NOT NULL, drones INTEGER NOT NULL)",
  // 2: the overview's rates; null from a region of an older version (mid-deploy) until it reports anew.
  "ALTER TABLE regions ADD COLUMN points_per_s REAL; ALTER TABLE regions ADD COLUMN conflicts INTEGER;",
];

/** What a region reports of itself. */
export interface RegionReport {
  region: string;
  drones: number;
  pointsPerS?: number;
  conflicts?: number;
}

export class RegionDirectory extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrate(ctx.storage.sql, DIRECTORY_MIGRATIONS);
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const now = Date.now();
    if (request.method === "POST" && url.pathname === "/report") {
      const body = (await request.json()) as Partial<Record<keyof RegionReport, unknown>>;
      if (typeof body.region !== "string" || typeof body.drones !== "number") return new Response("bad report", { status: 400 });
      const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : null);
      this.ctx.storage.sql.exec(
        "INSERT OR REPLACE INTO regions (region, last_active_ms, drones, points_per_s, conflicts) VALUES (?, ?, ?, ?, ?)",
        body.region,
        now,
        body.drones,
        num(body.pointsPerS),
        num(body.conflicts),
      );
      this.ctx.storage.sql.exec("DELETE FROM regions WHERE last_active_ms < ?", now - 24 * DIRECTORY_ACTIVE_MS);
      return new Response(null, { status: 204 });
    }
    if (url.pathname === "/regions") {
      const rows = this.ctx.storage.sql
        .exec(
          "SELECT region, last_active_ms, drones, points_per_s, conflicts FROM regions WHERE last_active_ms >= ? ORDER BY region",
          now - DIRECTORY_ACTIVE_MS,
        )
        .toArray();
      return Response.json({ regions: rows });
    }
    return new Response("not found", { status: 404 });
  }
}
