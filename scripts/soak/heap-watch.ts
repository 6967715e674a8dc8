/**
 * The soak's view into workerd's user isolate (gateway + Durable Objects share it), through the edge's
 * inspector: the JS heap after a full GC (what is live, apart from RSS, which also holds allocator slack
 * and native memory), and heap snapshots summarised by constructor and by the largest collections, so
 * two minutes' snapshots show which objects grow (objects keep their ids across snapshots).
 */
import { createWriteStream } from "node:fs";
import type { Edge } from "../bench/edge.js";
import { CdpSession, listTargets } from "../profile/cdp.js";

export interface HeapWatch {
  /** The JS heap after a forced full GC: used and committed, and ArrayBuffer backing stores (outside it), bytes. */
  live(): Promise<{ used: number; total: number; backing: number }>;
  /** Writes a .heapsnapshot to `path` and returns its summary. */
  snapshot(path: string): Promise<SnapshotSummary>;
  close(): void;
}

export async function watchHeap(edge: Edge): Promise<HeapWatch> {
  if (!edge.inspectorPort) throw new Error("the edge was started without its inspector");
  const target = (await listTargets(edge.inspectorPort)).find((t) => t.id.startsWith("core:user:"));
  if (!target) throw new Error(`no user Worker among the inspector targets on :${edge.inspectorPort}`);
  const s = await CdpSession.connect(target.webSocketDebuggerUrl, target.id);
  return {
    async live() {
      await s.send("HeapProfiler.collectGarbage", {}, 60_000);
      const u = await s.send<{ usedSize: number; totalSize: number; backingStorageSize?: number }>("Runtime.getHeapUsage", {}, 60_000);
      return { used: u.usedSize, total: u.totalSize, backing: u.backingStorageSize ?? Number.NaN };
    },
    async snapshot(path) {
      const chunks: string[] = [];
      const file = createWriteStream(path);
      s.onEvent = (method, params) => {
        if (method !== "HeapProfiler.addHeapSnapshotChunk") return;
        const c = (params as { chunk: string }).chunk;
        chunks.push(c);
        file.write(c);
      };
      try {
        await s.send("HeapProfiler.takeHeapSnapshot", { reportProgress: false }, 300_000);
      } finally {
        s.onEvent = null;
        await new Promise((r) => file.end(r));
      }
      return summariseSnapshot(JSON.parse(chunks.join("")) as HeapSnapshot);
    },
    close: () => s.close(),
  };
}

/** The parts of a .heapsnapshot this reads. */
export interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface SnapshotSummary {
  /** "type:name" → count and self size. */
  byName: Map<string, { count: number; bytes: number }>;
  /** Node id → outgoing edge count and a label ("Map held by X.prop"), for collections. */
  collections: Map<number, { edges: number; label: string }>;
}

/** Aggregates a snapshot by constructor, and labels every Map/Set/Array/object with its first retainer. */
export function summariseSnapshot(h: HeapSnapshot): SnapshotSummary {
  const nf = h.snapshot.meta.node_fields;
  const ef = h.snapshot.meta.edge_fields;
  const N = nf.length;
  const E = ef.length;
  const [tI, nI, idI, sI, ecI] = ["type", "name", "id", "self_size", "edge_count"].map((f) => nf.indexOf(f)) as [number, number, number, number, number];
  const [etI, enI, toI] = ["type", "name_or_index", "to_node"].map((f) => ef.indexOf(f)) as [number, number, number];
  const nodeTypes = h.snapshot.meta.node_types[0];
  const edgeTypes = h.snapshot.meta.edge_types[0];
  const count = h.nodes.length / N;
  const byName = new Map<string, { count: number; bytes: number }>();
  const firstEdge = new Uint32Array(count + 1);
  for (let i = 0, e = 0; i < count; i++) {
    firstEdge[i] = e;
    e += h.nodes[i * N + ecI]! * E;
    const key = `${nodeTypes[h.nodes[i * N + tI]!]}:${h.strings[h.nodes[i * N + nI]!]}`;
    const a = byName.get(key) ?? { count: 0, bytes: 0 };
    a.count++;
    a.bytes += h.nodes[i * N + sI]!;
    byName.set(key, a);
  }
  firstEdge[count] = h.edges.length;
  // One retainer per node (the first seen, skipping weak edges), for labels.
  const retainer = new Int32Array(count).fill(-1);
  const retainerEdge = new Int32Array(count).fill(-1);
  for (let i = 0; i < count; i++)
    for (let e = firstEdge[i]!; e < firstEdge[i + 1]!; e += E) {
      const to = h.edges[e + toI]! / N;
      if (retainer[to] === -1 && edgeTypes[h.edges[e + etI]!] !== "weak") {
        retainer[to] = i;
        retainerEdge[to] = e;
      }
    }
  const name = (i: number) => h.strings[h.nodes[i * N + nI]!] ?? "?";
  const edgeName = (e: number) => {
    const t = edgeTypes[h.edges[e + etI]!];
    return t === "element" || t === "hidden" ? `[${h.edges[e + enI]}]` : `.${h.strings[h.edges[e + enI]!]}`;
  };
  const collections = new Map<number, { edges: number; label: string }>();
  for (let i = 0; i < count; i++) {
    const edges = h.nodes[i * N + ecI]!;
    const t = nodeTypes[h.nodes[i * N + tI]!];
    if (edges < 200 || (t !== "object" && t !== "array")) continue;
    const path: string[] = [];
    for (let n = i, hops = 0; hops < 4 && retainer[n]! >= 0; hops++) {
      path.push(`${name(retainer[n]!)}${edgeName(retainerEdge[n]!)}`);
      n = retainer[n]!;
    }
    collections.set(h.nodes[i * N + idI]!, { edges, label: `${t}:${name(i)} ← ${path.join(" ← ")}` });
  }
  return { byName, collections };
}

/** The constructors and the collections that grew most from `a` to `b`. */
export function compareSnapshots(a: SnapshotSummary, b: SnapshotSummary, top = 25): string {
  const out: string[] = ["by constructor (type:name): count and self bytes, growth"];
  const rows = [...b.byName].map(([k, v]) => {
    const p = a.byName.get(k) ?? { count: 0, bytes: 0 };
    return { k, v, dc: v.count - p.count, db: v.bytes - p.bytes };
  });
  for (const r of rows.sort((x, y) => y.db - x.db).slice(0, top))
    out.push(
      `  ${(r.db / 1024).toFixed(0).padStart(8)} KiB  ${String(r.dc).padStart(8)} objs  now ${r.v.count} / ${(r.v.bytes / 1024).toFixed(0)} KiB  ${r.k.slice(0, 100)}`,
    );
  out.push("collections (same object in both snapshots) by growth of their edges");
  const grown = [...b.collections].map(([id, v]) => ({ id, v, d: v.edges - (a.collections.get(id)?.edges ?? 0), old: a.collections.has(id) }));
  for (const g of grown.sort((x, y) => y.d - x.d).slice(0, top))
    out.push(`  +${g.d} edges (now ${g.v.edges}${g.old ? "" : ", new"}) ${g.v.label.slice(0, 220)}`);
  return out.join("\n");
}
