// The checkpoint's many-rows-per-statement upsert (src/region/bulk-upsert.ts) on a region object's own
// SQLite: every chunk under the 100-parameter limit, rows updated in place, values exact, and the
// store's checkpoint read back by its own loaders.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { DroneSnapshot } from "../../src/detect/region-outputs.js";
import { BulkUpsert, MAX_BOUND_PARAMETERS, upsertStatements } from "../../src/region/bulk-upsert.js";
import type { RegionObject } from "../../src/region/region-object.js";
import { RegionStore } from "../../src/region/region-store.js";

function inFreshRegion<R>(name: string, fn: (sql: SqlStorage) => R): Promise<R> {
  return runInDurableObject(env.REGION.get(env.REGION.idFromName(name)), (_o: RegionObject, state) => fn(state.storage.sql));
}

/** Counts the statements and the parameters of each, then runs them on the real storage. */
function counting(sql: SqlStorage) {
  const params: number[] = [];
  const exec = (q: string, ...p: unknown[]) => {
    params.push(p.length);
    return sql.exec(q, ...p);
  };
  return { params, sql: { exec } };
}

describe("bulk upsert", () => {
  it("writes 0, 1, a full chunk and a chunk and a bit, each statement within the parameter limit, rows updated in place", async () => {
    await inFreshRegion("bulk-upsert-chunks", (sql) => {
      sql.exec("CREATE TABLE t (k TEXT PRIMARY KEY, a REAL NOT NULL, b TEXT NOT NULL)");
      const c = counting(sql);
      const up = new BulkUpsert(c.sql, "t", ["k", "a", "b"], "k");
      expect(up.rowsPerStatement).toBe(33);
      const write = (rows: [string, number, string][]): number =>
        up.write(rows, (r, v, i) => {
          v[i] = r[0];
          v[i + 1] = r[1];
          v[i + 2] = r[2];
        });
      write([]);
      expect(c.params).toEqual([]);
      const rows = Array.from({ length: 70 }, (_, i): [string, number, string] => [`k${i}`, i + 0.1 + 2 ** -40, "x"]);
      write(rows);
      expect(c.params).toEqual([99, 99, 12]);
      const ids = new Map(
        sql
          .exec<{ k: string; id: number }>("SELECT k, rowid AS id FROM t")
          .toArray()
          .map((r) => [r.k, r.id]),
      );
      // Rewritten with new values: the same rows (rowid kept: updated, not deleted and inserted), values
      // exact, one row written each (INSERT OR REPLACE counts the key index's entry too: two).
      expect(write(rows.map(([k, a]) => [k, a * 3, "y"]))).toBe(70);
      const after = sql.exec<{ k: string; a: number; b: string; id: number }>("SELECT k, a, b, rowid AS id FROM t ORDER BY a").toArray();
      expect(after).toHaveLength(70);
      for (const r of after) {
        const i = Number(r.k.slice(1));
        expect(r.a).toBe((i + 0.1 + 2 ** -40) * 3);
        expect(r.b).toBe("y");
        expect(r.id).toBe(ids.get(r.k));
      }
      // One row, then the same key twice in one statement: the later values win.
      write([["k1", 1, "one"]]);
      write([
        ["z", 1, "first"],
        ["z", 2, "second"],
      ]);
      expect(sql.exec("SELECT a, b FROM t WHERE k IN ('k1', 'z') ORDER BY k").toArray()).toEqual([
        { a: 1, b: "one" },
        { a: 2, b: "second" },
      ]);
      expect(sql.exec("INSERT OR REPLACE INTO t (k, a, b) VALUES ('k2', 0.1, 'y'), ('k3', 1.1, 'y')").rowsWritten).toBe(4);
    });
  });

  it("refuses a key that is not a column, and a row wider than the limit", () => {
    const sql = { exec: () => ({ rowsWritten: 0 }) };
    expect(() => new BulkUpsert(sql, "t", ["a", "b"], "k")).toThrow("key k");
    expect(
      () =>
        new BulkUpsert(
          sql,
          "t",
          Array.from({ length: MAX_BOUND_PARAMETERS + 1 }, (_, i) => `c${i}`),
          "c0",
        ),
    ).toThrow("exceed");
    expect(upsertStatements("t", ["k", "v"], "k", 2)).toEqual([
      "INSERT INTO t (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v",
      "INSERT INTO t (k, v) VALUES (?, ?), (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v",
    ]);
  });

  it("a checkpoint of 500 drones and 500 links reads back exactly, and a second one replaces the first", async () => {
    await inFreshRegion("bulk-upsert-checkpoint", (sql) => {
      const store = new RegionStore(sql);
      const drone = (i: number, t: number): DroneSnapshot => ({
        droneId: `f/d${i}`,
        linkId: `L${i}`,
        ghost: i % 7 === 0,
        timeMs: t + i,
        lastSeenMs: t + i + 3,
        lat: 47.1 + i * 1e-7 + 1e-13,
        lon: 8.5 - i * 1e-7,
        altM: 120.25,
        vn: 3.5,
        ve: -1.25,
        vu: 0,
        battery: i % 100,
        status: i % 11 === 0 ? "lost" : "active",
        lowBatterySent: i % 3 === 0,
      });
      const links = (t: number) =>
        Array.from({ length: 500 }, (_, i): [string, { floor: number; above: number[] }] => [`L${i}`, { floor: t + i, above: i % 5 === 0 ? [t + i + 2] : [] }]);
      store.checkpoint(
        Array.from({ length: 500 }, (_, i) => drone(i, 1000)),
        [],
        links(10),
        5000,
      );
      const second = Array.from({ length: 500 }, (_, i) => drone(i, 2000));
      store.checkpoint(second, ["f/d499"], links(20), 6000);
      const restored = new Map(store.loadDrones().map((d) => [d.droneId, d]));
      expect(restored.size).toBe(499);
      for (const d of second.slice(0, 499)) expect(restored.get(d.droneId)).toEqual(d);
      const seqs = store.loadLinkSeqs();
      expect(seqs.size).toBe(500);
      expect(seqs.get("L5")).toEqual({ floor: 25, above: [27] });
      expect(seqs.get("L6")).toEqual({ floor: 26, above: [] });
    });
  });
});
