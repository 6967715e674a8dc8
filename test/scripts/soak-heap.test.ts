import { describe, expect, it } from "vitest";
import { compareSnapshots, type HeapSnapshot, summariseSnapshot } from "../../scripts/soak/heap-watch.js";

/** A V8 heap snapshot in its wire shape: a root holding a ledger object whose `seqs` map table has `n` entries. */
function snapshot(n: number, extraObjects: number): HeapSnapshot {
  const strings = ["", "(root)", "LinkLedger", "Map", "seqs", "table", "", "LinkSequence", "ledger"];
  const meta = {
    node_fields: ["type", "name", "id", "self_size", "edge_count"],
    node_types: [["hidden", "array", "string", "object"]] as [string[]],
    edge_fields: ["type", "name_or_index", "to_node"],
    edge_types: [["context", "element", "property", "internal", "hidden", "shortcut", "weak"]] as [string[]],
  };
  const nodes: number[] = [];
  const edges: number[] = [];
  const node = (type: number, name: number, id: number, size: number, edgeCount: number) => nodes.push(type, name, id, size, edgeCount) / 5 - 1;
  // 0 root → 1 ledger → 2 map → 3 table → n entries (LinkSequence objects, ids from 100), plus loose objects.
  node(0, 1, 1, 0, 1 + extraObjects);
  edges.push(2, 8, 5);
  node(3, 2, 3, 32, 1);
  edges.push(2, 4, 10);
  node(3, 3, 5, 24, 1);
  edges.push(3, 5, 15);
  node(1, 6, 7, 16 + 8 * n, n);
  for (let i = 0; i < n; i++) edges.push(1, i, (4 + i) * 5);
  for (let i = 0; i < n; i++) node(3, 7, 100 + 2 * i, 40, 0);
  const first = nodes.length / 5;
  for (let i = 0; i < extraObjects; i++) {
    node(3, 3, 100_000 + 2 * i, 24, 0);
    edges.splice(3 + 3 * i, 0, 2, 4, (first + i) * 5); // root's edges come first
  }
  return { snapshot: { meta }, nodes, edges, strings };
}

describe("soak heap snapshots", () => {
  it("counts objects by constructor and finds the collection that grew, with its retainers", () => {
    const a = summariseSnapshot(snapshot(300, 2));
    const b = summariseSnapshot(snapshot(1300, 2));
    expect(a.byName.get("object:LinkSequence")).toEqual({ count: 300, bytes: 300 * 40 });
    expect(b.collections.get(7)).toEqual({ edges: 1300, label: "array: ← Map.table ← LinkLedger.seqs ← (root).ledger" });
    const report = compareSnapshots(a, b, 3);
    expect(report).toContain("+1000 edges (now 1300) array: ← Map.table ← LinkLedger.seqs ← (root).ledger");
    expect(report.split("\n")[1]).toContain("1000 objs  now 1300 / 51 KiB  object:LinkSequence");
  });

  it("lists no collection under 200 entries and no growth when nothing grew", () => {
    const a = summariseSnapshot(snapshot(150, 1));
    expect(a.collections.size).toBe(0);
    expect(compareSnapshots(a, summariseSnapshot(snapshot(150, 1)), 3)).not.toMatch(/\+[1-9]/);
  });
});
