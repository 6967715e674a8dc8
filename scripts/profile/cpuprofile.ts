/**
 * Summarises a V8 .cpuprofile (CDP Profiler.stop) of the airspace bundle: top functions by self and by
 * total time, an aggregate by source file, and the shares of "(program)", "(idle)", "(garbage collector)"
 * and native code. Bundle positions are mapped back to src/… through the bundle's source map.
 * Also runnable on its own: `npx tsx scripts/profile/cpuprofile.ts <file.cpuprofile> [bundle.js] [--top N] [--points N] [--interval µs] [--url index.js]`.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { commandLineOrExit, numberFlag } from "../lib/cli.mjs";

export interface CallFrame {
  functionName: string;
  scriptId: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
export interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

// ---------------------------------------------------------------------------------------------------
// Source map (v3) lookup: generated (line, column), 0-based → original source and 1-based line.

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_VAL = new Int8Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_VAL[B64.charCodeAt(i)] = i;

export class SourceMap {
  /** Per generated line: flat [genCol, srcIdx, srcLine, srcCol] quadruples, sorted by genCol. */
  private readonly lines: Int32Array[] = [];
  readonly sources: string[];

  constructor(map: { sources: string[]; mappings: string }) {
    this.sources = map.sources.map(relativeSource);
    let src = 0;
    let srcLine = 0;
    let srcCol = 0;
    let name = 0;
    for (const lineText of map.mappings.split(";")) {
      let genCol = 0;
      const out: number[] = [];
      if (lineText.length > 0) {
        for (const seg of lineText.split(",")) {
          const v = decodeVlq(seg);
          if (v.length === 0) continue;
          genCol += v[0]!;
          if (v.length >= 4) {
            src += v[1]!;
            srcLine += v[2]!;
            srcCol += v[3]!;
            if (v.length >= 5) name += v[4]!;
            out.push(genCol, src, srcLine, srcCol);
          }
        }
      }
      this.lines.push(Int32Array.from(out));
    }
    void name;
  }

  /** Original position of a generated one; searches back to earlier lines when this one has no mapping at or before `col`. */
  lookup(line: number, col: number): { source: string; line: number } | null {
    for (let l = line; l >= 0 && l > line - 50; l--) {
      const segs = this.lines[l];
      if (!segs || segs.length === 0) continue;
      let best = -1;
      for (let i = 0; i < segs.length; i += 4) {
        if (l < line || segs[i]! <= col) best = i;
        else break;
      }
      if (best < 0) continue;
      return { source: this.sources[segs[best + 1]!] ?? "?", line: segs[best + 2]! + 1 };
    }
    return null;
  }
}

function decodeVlq(s: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (let i = 0; i < s.length; i++) {
    const d = B64_VAL[s.charCodeAt(i)]!;
    if (d < 0) throw new Error(`bad base64 VLQ digit in ${s}`);
    value += (d & 31) << shift;
    if (d & 32) {
      shift += 5;
    } else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

/** "../../../work/main/src/gateway/session.ts" → "src/gateway/session.ts"; node_modules paths likewise. */
function relativeSource(s: string): string {
  const nm = s.lastIndexOf("node_modules/");
  if (nm >= 0) return s.slice(nm);
  const src = s.lastIndexOf("/src/");
  if (src >= 0) return s.slice(src + 1);
  return s.replace(/^(\.\.\/)+/, "");
}

// ---------------------------------------------------------------------------------------------------
// Summary.

export interface SummaryOptions {
  /** Path of the bundle the profiled script was loaded from (its .map next to it); frames whose URL ends with its basename are mapped. */
  bundle?: string;
  top?: number;
  /** The script URL the runtime reports for the bundle (e.g. "index.js"); default: the bundle's basename. */
  scriptUrl?: string;
  /** Points accepted during the profile: adds µs/point columns. */
  points?: number;
  /** The sampling interval asked of the profiler, µs (helps estimate the real sampler period). */
  intervalUs?: number;
  /** Label printed in the header. */
  label?: string;
}

const SPECIAL = new Set(["(program)", "(idle)", "(garbage collector)", "(root)"]);

interface FnStat {
  label: string;
  file: string;
  self: number;
  total: number;
}

/** Returns the printable summary (one string, lines joined). */
export function summarise(profile: CpuProfile, o: SummaryOptions = {}): string {
  const top = o.top ?? 30;
  const bundleBase = o.scriptUrl ?? (o.bundle ? basename(o.bundle) : null);
  let map: SourceMap | null = null;
  let bundleLines: string[] = [];
  if (o.bundle && existsSync(o.bundle)) {
    bundleLines = readFileSync(o.bundle, "utf8").split("\n");
    if (existsSync(`${o.bundle}.map`)) map = new SourceMap(JSON.parse(readFileSync(`${o.bundle}.map`, "utf8")));
  }

  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) byId.set(n.id, n);
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  // Per node: function key, label and file (cached).
  const info = new Map<number, { key: string; label: string; file: string; kind: "special" | "native" | "bundle" | "other" }>();
  const mismatched = new Set<string>();
  const nodeInfo = (id: number) => {
    let i = info.get(id);
    if (i) return i;
    const cf = byId.get(id)!.callFrame;
    const name = cf.functionName || "(anonymous)";
    if (SPECIAL.has(cf.functionName)) i = { key: cf.functionName, label: cf.functionName, file: cf.functionName, kind: "special" };
    else if (cf.url === "") i = { key: `native|${name}`, label: `${name} [native/builtin]`, file: "(native/builtin, no url)", kind: "native" };
    else if (bundleBase && (cf.url === bundleBase || cf.url.endsWith(`/${bundleBase}`))) {
      const orig = map?.lookup(cf.lineNumber, cf.columnNumber) ?? null;
      const file = orig ? orig.source : "(bundle, no source map: esbuild helpers)";
      const where = orig ? `${orig.source}:${orig.line}` : "(esbuild helper)";
      i = { key: `${name}|${cf.url}|${cf.lineNumber}|${cf.columnNumber}`, label: `${name}  ${where}  (bundle:${cf.lineNumber + 1})`, file, kind: "bundle" };
      const text = bundleLines[cf.lineNumber];
      if (cf.functionName && text !== undefined && !text.includes(cf.functionName.split(".").pop()!) && !text.includes("constructor"))
        mismatched.add(cf.functionName);
    } else {
      i = { key: `${name}|${cf.url}|${cf.lineNumber}|${cf.columnNumber}`, label: `${name}  ${cf.url}:${cf.lineNumber + 1}`, file: cf.url, kind: "other" };
    }
    info.set(id, i);
    return i;
  };

  // V8 samples only while the sampled thread holds the isolate's lock (workerd uses v8::Locker): with the
  // lock released, ticks are dropped and the next delta spans several sampler periods. So a sample is
  // worth one sampler period (not the delta to the next one), estimated from the deltas near the interval.
  const samples = profile.samples ?? [];
  const deltas = (profile.timeDeltas ?? [])
    .slice(1)
    .filter((d) => d > 0)
    .sort((x, y) => x - y);
  const base = o.intervalUs ?? deltas[Math.floor(deltas.length * 0.1)] ?? 1000;
  const near = deltas.filter((d) => d >= base * 0.5 && d < base * 2);
  const period = near.length > 0 ? near[Math.floor(near.length / 2)]! : base;
  const windowUs = profile.endTime - profile.startTime;

  const fns = new Map<string, FnStat>();
  const files = new Map<string, { self: number; total: number }>();
  const kinds = { special: new Map<string, number>(), native: 0, bundle: 0, other: 0 };
  const seenFn = new Set<string>();
  const seenFile = new Set<string>();
  const d = period;
  for (let i = 0; i < samples.length; i++) {
    const leaf = nodeInfo(samples[i]!);
    if (leaf.kind === "special") kinds.special.set(leaf.key, (kinds.special.get(leaf.key) ?? 0) + d);
    else kinds[leaf.kind] += d;
    seenFn.clear();
    seenFile.clear();
    let first = true;
    for (let id: number | undefined = samples[i]; id !== undefined; id = parent.get(id)) {
      const ni = nodeInfo(id);
      if (ni.key === "(root)") break;
      let f = fns.get(ni.key);
      if (!f) {
        f = { label: ni.label, file: ni.file, self: 0, total: 0 };
        fns.set(ni.key, f);
      }
      if (first) f.self += d;
      if (!seenFn.has(ni.key)) {
        seenFn.add(ni.key);
        f.total += d;
      }
      let g = files.get(ni.file);
      if (!g) {
        g = { self: 0, total: 0 };
        files.set(ni.file, g);
      }
      if (first) g.self += d;
      if (!seenFile.has(ni.file)) {
        seenFile.add(ni.file);
        g.total += d;
      }
      first = false;
    }
  }

  const wall = samples.length * period; // time with the lock held (sampled)
  const idle = kinds.special.get("(idle)") ?? 0;
  const busy = wall - idle;
  const pct = (x: number, of = wall) => `${((100 * x) / Math.max(1, of)).toFixed(1).padStart(5)}%`;
  const ms = (x: number) => `${(x / 1000).toFixed(1).padStart(7)} ms`;
  const perPt = (x: number) => (o.points ? `${(x / o.points).toFixed(2).padStart(6)} µs/pt` : "");
  const out: string[] = [];
  out.push(`== ${o.label ?? "profile"}`);
  out.push(
    `   ${samples.length} samples in a ${(windowUs / 1e6).toFixed(2)} s window; sampler period ≈ ${period.toFixed(0)} µs (asked ${o.intervalUs ?? "?"}), so the isolate lock was held ≈ ${(wall / 1e6).toFixed(2)} s = ${pct(wall, windowUs).trim()} of the window${o.points ? `; ${o.points} points` : ""}`,
  );
  out.push(`   leaf-frame shares of the sampled (lock-held) time [ms, % of samples, µs/pt]:`);
  for (const k of ["(program)", "(idle)", "(garbage collector)"]) {
    const v = kinds.special.get(k) ?? 0;
    out.push(`     ${k.padEnd(24)} ${ms(v)} ${pct(v)}  ${perPt(v)}`);
  }
  out.push(`     ${"native/builtin (no url)".padEnd(24)} ${ms(kinds.native)} ${pct(kinds.native)}  ${perPt(kinds.native)}`);
  out.push(`     ${"JS in the bundle".padEnd(24)} ${ms(kinds.bundle)} ${pct(kinds.bundle)}  ${perPt(kinds.bundle)}`);
  if (kinds.other > 0) out.push(`     ${"JS, other scripts".padEnd(24)} ${ms(kinds.other)} ${pct(kinds.other)}  ${perPt(kinds.other)}`);
  out.push(`     ${"busy (all but (idle))".padEnd(24)} ${ms(busy)} ${pct(busy)}  ${perPt(busy)}   <- "%busy" below is of this`);

  const row = (v: number, label: string) => `  ${ms(v)} ${pct(v)} ${pct(v, busy)}  ${perPt(v)}  ${label}`;
  const list = [...fns.values()].filter((f) => !SPECIAL.has(f.label));
  out.push(`-- top ${top} by self time (ms, %samples, %busy${o.points ? ", µs/pt" : ""}, function  original:line  (bundle line))`);
  for (const f of [...list].sort((a, b) => b.self - a.self).slice(0, top)) out.push(row(f.self, f.label));
  out.push(`-- top ${top} by total time (inclusive)`);
  for (const f of [...list].sort((a, b) => b.total - a.total).slice(0, top)) out.push(row(f.total, f.label));
  out.push(`-- by source file: self (ms, %samples, %busy) | total (inclusive)`);
  for (const [file, g] of [...files].sort((a, b) => b[1].self - a[1].self)) {
    if (g.self < wall * 0.0005 && g.total < wall * 0.002) continue;
    out.push(`  ${ms(g.self)} ${pct(g.self)} ${pct(g.self, busy)} | ${ms(g.total)} ${pct(g.total)} ${pct(g.total, busy)}  ${file}`);
  }
  if (mismatched.size > 0)
    out.push(
      `   (note: ${mismatched.size} function name(s) not found on their bundle line, e.g. ${[...mismatched].slice(0, 3).join(", ")}: check the bundle matches)`,
    );
  return out.join("\n");
}

// Standalone use on a saved profile.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const a = commandLineOrExit(process.argv.slice(2), {
    name: "cpuprofile",
    usage: "usage: npx tsx scripts/profile/cpuprofile.ts <file.cpuprofile> [bundle.js] [--top N] [--points N] [--interval µs] [--url index.js]",
    options: { top: { type: "string" }, points: { type: "string" }, interval: { type: "string" }, url: { type: "string" } },
    positionals: { min: 1, max: 2 },
    check: (v, [file, bundle]) => ({
      file: file!,
      bundle,
      scriptUrl: v.url ?? "index.js",
      top: v.top === undefined ? undefined : numberFlag(v, "top", 0, { min: 1, integer: true }),
      points: v.points === undefined ? undefined : numberFlag(v, "points", 0, { min: 0 }),
      intervalUs: v.interval === undefined ? undefined : numberFlag(v, "interval", 0, { min: 0 }),
    }),
  });
  const profile = JSON.parse(readFileSync(a.file, "utf8")) as CpuProfile;
  console.log(
    summarise(profile, { bundle: a.bundle, scriptUrl: a.scriptUrl, top: a.top, points: a.points, intervalUs: a.intervalUs, label: basename(a.file) }),
  );
}
