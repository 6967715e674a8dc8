// The events table's per-fleet cap (src/region/event-rows.ts) on a region object's own storage: a fleet
// that floods it loses its own oldest rows, counted; another fleet's rows stay.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { DEFAULTS } from "../../src/config.js";
import { LinkLedger } from "../../src/link/link-ledger.js";
import { EventRows } from "../../src/region/event-rows.js";
import { Housekeeping } from "../../src/region/housekeeping.js";
import { RegionStore } from "../../src/region/region-store.js";
import type { RegionObject } from "../../src/region/region-object.js";
import { migrate } from "../../src/region/schema.js";

function inFreshRegion<R>(name: string, fn: (o: RegionObject, sql: SqlStorage) => R): Promise<R> {
  return runInDurableObject(env.REGION.get(env.REGION.idFromName(name)), (o: RegionObject, state) => fn(o, state.storage.sql));
}

const countsOf = (sql: SqlStorage) =>
  Object.fromEntries(
    sql
      .exec<{ fleet: string; n: number }>("SELECT fleet, COUNT(*) AS n FROM events GROUP BY fleet")
      .toArray()
      .map((r) => [r.fleet, r.n]),
  );

describe("stored events, capped per fleet", () => {
  it("drops a flooding fleet's oldest rows past the cap, and counts them; the other fleet keeps all of its own", async () => {
    await inFreshRegion("event-rows-cap", (_o, sql) => {
      const rows = new EventRows(sql);
      for (let i = 0; i < 10; i++) rows.add(10_000 + i, "lost", `real/d${i}`);
      for (let i = 0; i < 50; i++) rows.add(2000 + i, "lost", `flood/x${i}`);
      expect(rows.cap(20)).toEqual([{ fleet: "flood", dropped: 30 }]);
      expect(countsOf(sql)).toEqual({ real: 10, flood: 20 });
      // The newest 20 of the flood are what is left.
      expect(sql.exec<{ m: number }>("SELECT MIN(ts_ms) AS m FROM events WHERE fleet = 'flood'").one().m).toBe(2030);
      // Counted from memory from here on: five more, five dropped; retention's deletes are counted too.
      for (let i = 0; i < 5; i++) rows.add(3000 + i, "evicted", `flood/y${i}`);
      expect(rows.cap(20)).toEqual([{ fleet: "flood", dropped: 5 }]);
      rows.pruneBefore(2040); // 5 of the flood's left
      for (let i = 0; i < 5; i++) rows.add(4000 + i, "lost", `flood/z${i}`);
      expect(rows.cap(20)).toEqual([]);
      expect(countsOf(sql)).toEqual({ real: 10, flood: 20 });
      expect(rows.capped).toBe(35);
      expect(rows.cap(0)).toEqual([]); // 0: no cap
    });
  });

  it("forgets every row of one drone (a brief one, evicted early), and counts that", async () => {
    await inFreshRegion("event-rows-forget", (_o, sql) => {
      const rows = new EventRows(sql);
      rows.add(1, "lost", "f/junk");
      rows.add(2, "lost", "f/real");
      expect(rows.cap(10)).toEqual([]); // counts loaded: 2
      rows.add(3, "low_battery", "f/junk");
      rows.forget("f/junk");
      expect(sql.exec("SELECT type, drone_id FROM events").toArray()).toEqual([{ type: "lost", drone_id: "f/real" }]);
      rows.add(4, "lost", "f/other");
      expect(rows.cap(1)).toEqual([{ fleet: "f", dropped: 1 }]); // 2 rows, not 4
    });
  });

  it("is applied by the region's chores, with EVENTS_MAX_PER_FLEET", async () => {
    await inFreshRegion("event-rows-chores", async (_o, sql) => {
      const store = new RegionStore(sql);
      const now = Date.now();
      for (let i = 0; i < 5; i++) store.events.add(now - 1000 + i, "lost", `flood/x${i}`);
      const chores = new Housekeeping({ ...DEFAULTS, eventsMaxPerFleet: 2 }, store, new LinkLedger(4, 1000, 60_000), env.DIRECTORY);
      await chores.run("event-rows-chores", now, () => new Set(), { drones: 0 });
      expect(countsOf(sql)).toEqual({ flood: 2 });
      expect(store.events.capped).toBe(3);
    });
  });

  it("shows what the cap dropped in the region's stats", async () => {
    const stats = await inFreshRegion("event-rows-stats", (o) => {
      const inside = o as unknown as { store: { events: EventRows }; statsNow(): Record<string, number> };
      for (let i = 0; i < 3; i++) inside.store.events.add(i, "lost", `f/d${i}`);
      inside.store.events.cap(1);
      return inside.statsNow();
    });
    expect(stats.eventsCapped).toBe(2);
  });

  it("gives the rows stored before the fleet column their fleet (schema migration 4)", async () => {
    await inFreshRegion("event-rows-migration", (_o, sql) => {
      // Back to schema 3, with rows written then.
      sql.exec("DROP INDEX events_fleet");
      sql.exec("DROP INDEX events_drone");
      sql.exec("ALTER TABLE events DROP COLUMN fleet");
      sql.exec("DELETE FROM _migrations WHERE version >= 4");
      sql.exec("INSERT INTO events (ts_ms, type, drone_id) VALUES (1, 'lost', 'acme/d-1'), (2, 'lost', 'no-fleet')");
      expect(migrate(sql)).toBe(4);
      expect(sql.exec("SELECT drone_id, fleet FROM events ORDER BY id").toArray()).toEqual([
        { drone_id: "acme/d-1", fleet: "acme" },
        { drone_id: "no-fleet", fleet: "" },
      ]);
    });
  });
});
