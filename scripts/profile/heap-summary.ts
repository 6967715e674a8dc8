/**
 * The printable summary of a V8 sampling heap profile (HeapProfiler.stopSampling, or a saved .heapprofile):
 * allocation sites, source files and functions by bytes, mapped to src/ through the bundle's source map.
 */
import { existsSync, readFileSync } from "node:fs";
import { SourceMap, type CallFrame } from "./cpuprofile.js";

const MiB = 1024 * 1024;

// CDP shapes (HeapProfiler.SamplingHeapProfile).
interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  id: number;
  children: HeapNode[];
}
interface HeapSample {
  size: number;
  nodeId: number;
  ordinal: number;
}
export interface SamplingHeapProfile {
  head: HeapNode;
  samples?: HeapSample[];
}

export interface HeapSummaryOptions {
  bundle?: string;
  scriptUrl?: string;
  top?: number;
  seconds: number;
  points?: number;
  title: string;
  /** Only the site list and the per-file totals. */
  brief?: boolean;
}

/** V8's pseudo-frames of the sampling heap profiler: allocations with no JS frame on the stack. */
const PSEUDO = /^\((root|V8 API|GC|PARSER|BYTECODE_COMPILER|COMPILER|EXTERNAL|IDLE|JS|LOGGING|OTHER|PROGRAM)\)$/;

interface FrameInfo {
  key: string;
  name: string;
  where: string;
  file: string;
  kind: "pseudo" | "native" | "js";
}

/**
 * Printable summary of a sampling heap profile. An allocation site is the innermost JS frame (the function's own
 * start line: V8 records no allocation positions), with the builtin that allocated when the leaf is one
 * (`Map`, `slice`, `Uint8Array` …, attributed to the JS function that called it, and to that function's file).
 */
export function summariseHeap(profile: SamplingHeapProfile, o: HeapSummaryOptions): string {
  const top = o.top ?? 25;
  let map: SourceMap | null = null;
  if (o.bundle && existsSync(`${o.bundle}.map`)) map = new SourceMap(JSON.parse(readFileSync(`${o.bundle}.map`, "utf8")));
  const bundleBase = o.scriptUrl ?? "index.js";

  const frameInfo = new Map<string, FrameInfo>();
  const info = (cf: CallFrame): FrameInfo => {
    const key = `${cf.functionName}|${cf.url}|${cf.lineNumber}|${cf.columnNumber}`;
    let i = frameInfo.get(key);
    if (i) return i;
    const name = cf.functionName || "(anonymous)";
    if (cf.url === "" && PSEUDO.test(cf.functionName)) i = { key, name, where: "", file: name, kind: "pseudo" };
    else if (cf.url === "") i = { key, name, where: "[builtin]", file: "(builtin, no JS caller)", kind: "native" };
    else if (cf.url === bundleBase || cf.url.endsWith(`/${bundleBase}`)) {
      const orig = map?.lookup(cf.lineNumber, cf.columnNumber) ?? null;
      i = orig
        ? { key, name, where: `${orig.source}:${orig.line}`, file: orig.source, kind: "js" }
        : { key, name, where: `bundle:${cf.lineNumber + 1}`, file: "(bundle, unmapped: esbuild helpers)", kind: "js" };
    } else i = { key, name, where: `${cf.url}:${cf.lineNumber + 1}`, file: cf.url, kind: "js" };
    frameInfo.set(key, i);
    return i;
  };

  interface Site {
    label: string;
    file: string;
    self: number;
    samples: number;
    callers: Map<string, number>;
  }
  const sites = new Map<string, Site>();
  const files = new Map<string, number>();
  const inclusive = new Map<string, { label: string; total: number }>();
  const nodeSite = new Map<number, string>();
  let all = 0;
  const walk = (n: HeapNode, stack: FrameInfo[]): number => {
    const i = info(n.callFrame);
    const isRoot = stack.length === 0 && n.callFrame.functionName === "(root)";
    const st = isRoot ? stack : [...stack, i];
    let sub = n.selfSize;
    for (const c of n.children ?? []) sub += walk(c, st);
    if (isRoot) return sub;
    if (i.kind === "js" && !stack.some((x) => x.key === i.key)) {
      const f = inclusive.get(i.key) ?? { label: `${i.name}  ${i.where}`, total: 0 };
      f.total += sub; // recursion counted once
      inclusive.set(i.key, f);
    }
    if (n.selfSize === 0 && !(n.callFrame.functionName && PSEUDO.test(n.callFrame.functionName))) return sub;
    // The allocating JS frame: the leaf, or the nearest JS frame above a builtin leaf (builtins may nest: Map › set).
    let j = st.length - 1;
    while (j >= 0 && st[j]!.kind === "native") j--;
    const js = j >= 0 ? st[j]! : null;
    const natives = st.slice(j + 1).map((x) => x.name);
    const key = `${js?.key ?? ""}›${natives.join("›")}`;
    let site = sites.get(key);
    if (!site) {
      const label = js ? `${js.name}${natives.length ? ` › ${natives.join(" › ")}` : ""}  ${js.where}` : `${natives.join(" › ")} [builtin]`;
      site = { label, file: js?.file ?? "(builtin, no JS caller)", self: 0, samples: 0, callers: new Map() };
      sites.set(key, site);
    }
    site.self += n.selfSize;
    const caller = j > 0 ? st[j - 1]! : null;
    const ck = caller ? `${caller.name} ${caller.where}` : "";
    site.callers.set(ck, (site.callers.get(ck) ?? 0) + n.selfSize);
    files.set(site.file, (files.get(site.file) ?? 0) + n.selfSize);
    nodeSite.set(n.id, key);
    all += n.selfSize;
    return sub;
  };
  walk(profile.head, []);
  for (const smp of profile.samples ?? []) {
    const k = nodeSite.get(smp.nodeId);
    const site = k !== undefined ? sites.get(k) : undefined;
    if (site) site.samples++;
  }

  const sec = Math.max(0.001, o.seconds);
  const rate = (b: number) => `${(b / sec / MiB).toFixed(2).padStart(5)} MiB/s`;
  const pct = (b: number) => `${((100 * b) / Math.max(1, all)).toFixed(1).padStart(4)}%`;
  const perPt = (b: number) => (o.points ? `${(b / o.points).toFixed(0).padStart(5)} B/pt` : "");
  const out: string[] = [];
  const nSamples = profile.samples?.length ?? 0;
  out.push(
    `== ${o.title}: ${(all / MiB).toFixed(1)} MiB in ${sec.toFixed(2)} s = ${(all / sec / MiB).toFixed(2)} MiB/s, ${nSamples} samples${o.points ? `; ${o.points} points (${(o.points / sec).toFixed(0)}/s) → ${(all / o.points).toFixed(0)} B/pt` : ""}`,
  );
  out.push(
    `-- top ${top} allocation sites by self size (rate, share, per point, samples; JS function [› builtin]  src:line of the function;  ← heaviest caller)`,
  );
  for (const site of [...sites.values()].sort((a, b) => b.self - a.self).slice(0, top)) {
    if (site.self <= 0) break;
    const [cn, cb] = [...site.callers].sort((a, b) => b[1] - a[1])[0] ?? ["", 0];
    out.push(
      `  ${rate(site.self)} ${pct(site.self)} ${perPt(site.self)} ${String(site.samples).padStart(5)}  ${site.label}${cn ? `   ← ${cn}${cb < site.self * 0.995 ? ` (${((100 * cb) / site.self).toFixed(0)}%)` : ""}` : ""}`,
    );
  }
  out.push(`-- top 15 source files by self size (builtins counted in their JS caller's file)`);
  for (const [f, b] of [...files].sort((a, b) => b[1] - a[1]).slice(0, 15)) out.push(`  ${rate(b)} ${pct(b)} ${perPt(b)}  ${f}`);
  if (!o.brief) {
    out.push(`-- top 15 functions by inclusive size (self + callees)`);
    for (const f of [...inclusive.values()].sort((a, b) => b.total - a.total).slice(0, 15))
      out.push(`  ${rate(f.total)} ${pct(f.total)} ${perPt(f.total)}  ${f.label}`);
  }
  return out.join("\n");
}
