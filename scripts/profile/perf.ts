/**
 * Native view of workerd with Linux `perf` (when installed): `perf record` on given PIDs for a window,
 * then self time by process, by category (kernel, JIT'd JS, V8 builtins/interpreter, V8 GC, V8 runtime,
 * workerd/jsg, kj/capnp, SQLite, libc) and top symbols. Complements the V8 profile, which only samples
 * while the thread holds the isolate's lock and so cannot see workerd's own C++ or the kernel.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";

export function perfAvailable(): string | null {
  for (const p of ["/usr/bin/perf", "/usr/local/bin/perf"]) if (existsSync(p)) return p;
  return null;
}

/** Records `pids` for `seconds` at `hz` into `out`; resolves when perf has exited (bounded). */
export function perfRecord(perf: string, pids: number[], seconds: number, out: string, hz = 1999): Promise<{ ok: boolean; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(perf, ["record", "-F", String(hz), "-p", pids.join(","), "-o", out, "--", "sleep", String(seconds)], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    p.stderr.on("data", (d) => (stderr += String(d)));
    const timer = setTimeout(() => p.kill("SIGKILL"), (seconds + 30) * 1000);
    p.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, stderr });
    });
    p.on("error", (e) => {
      clearTimeout(timer);
      resolve({ ok: false, stderr: String(e) });
    });
  });
}

function perfReport(perf: string, data: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      perf,
      ["report", "-i", data, "--stdio", "--no-children", "-g", "none", "--percent-limit", "0", ...args],
      { maxBuffer: 256 << 20, timeout: 120_000 },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    );
  });
}

interface Row {
  pct: number;
  dso: string;
  sym: string;
}

function parseRows(text: string): Row[] {
  const rows: Row[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*([\d.]+)%\s+(\S.*?)\s+\[([.kgu])\]\s+(.*?)\s*$/.exec(line);
    if (m) rows.push({ pct: Number(m[1]), dso: m[2]!, sym: m[3] === "k" ? `[k] ${m[4]}` : m[4]! });
  }
  return rows;
}

export function categorise(dso: string, sym: string): string {
  const s = sym.replace(/^(\(anonymous namespace\)::|non-virtual thunk to |virtual thunk to )/, "");
  if (sym.startsWith("[k] ") || dso.includes("kernel")) return "kernel (syscalls, TCP loopback, scheduler, IRQ)";
  if (dso.startsWith("[JIT]") || dso === "[unknown]" || /^0x[0-9a-f]+$/.test(s)) return "JS: JIT-compiled code";
  if (/^Builtins_.*Handler/.test(s)) return "V8 interpreter (bytecode handlers)";
  if (s.startsWith("Builtins_")) return "V8 builtins (ICs, Map, TypedArray, ...)";
  if (/ArrayBufferSweeper|BackingStore|JSArrayBuffer|ArrayBufferExtension/.test(s)) return "V8 ArrayBuffer/BackingStore lifecycle";
  if (
    /^(cppgc::|heap::|v8::internal::(Heap|Scavenge|Scavenger|MarkCompact|MinorMarkSweep|MinorMC|Marking|MainMarking|ConcurrentMarking|Sweeper|Evacuat|Mark|PagedSpace|NewSpace|SemiSpace|LargeObjectSpace|MemoryAllocator|Page|MutablePage|EphemeronTable|GCTracer|IncrementalMarking|ObjectStats|RememberedSet|SlotSet|TypedSlot|LocalHeap|Safepoint|Worklist|\w*Visitor|\w*Marking))/.test(
      s,
    )
  )
    return "V8 GC";
  if (/^(v8::|v8_inspector::|Runtime_|_ZN2v8)/.test(s)) return "V8 runtime / API / compiler";
  if (/^(workerd::|jsg::|edgeworker::|_ZN7workerd|_ZZN7workerd)/.test(s) || /^std::__1::__tree<.*workerd::/.test(s))
    return "workerd / jsg (API glue, IoContext, timers, hibernation)";
  if (/^(kj::|capnp::|_ZN2kj|_ZN5capnp)/.test(s)) return "kj / capnp (event loop, promises, WebSocket pipes)";
  if (/^(Cr_z_|chunkcopy|crc32|adler32|deflate|inflate)/.test(s)) return "zlib (permessage-deflate)";
  if (/sqlite3/i.test(s)) return "SQLite";
  if (/^(tcmalloc|TCMalloc|operator new|operator delete|malloc|free|je_|mi_)/.test(s)) return "allocator (tcmalloc)";
  if (/libc\.so|libm\.so|libstdc\+\+|ld-linux|\[vdso\]/.test(dso) || /^(std::|__)/.test(s)) return "libc / libc++ / vdso";
  return `other (${dso})`;
}

/** Printable summary of a perf.data file for `pids` (labels by PID). */
/** `pids`: label and, if known, the process's CPU per point in the perf window (adds µs/pt per category). */
export async function perfSummary(perf: string, data: string, pids: Map<number, { label: string; usPerPt?: number; top?: number }>, top = 25): Promise<string> {
  const out: string[] = [];
  const byPid = parseRowsPid(await perfReport(perf, data, ["--sort", "pid"]));
  out.push(`== perf (no V8 profiler running): self time by process (% of all samples)`);
  for (const r of byPid) out.push(`  ${r.pct.toFixed(1).padStart(5)}%  ${r.label}`);
  for (const [pid, { label, usPerPt, top: topHere }] of pids) {
    const rows = parseRows(await perfReport(perf, data, ["--pid", String(pid), "--sort", "dso,sym"]));
    const sum = rows.reduce((a, r) => a + r.pct, 0);
    if (rows.length === 0 || sum === 0) continue;
    const cats = new Map<string, { pct: number; rows: Row[] }>();
    for (const r of rows) {
      const c = categorise(r.dso, r.sym);
      let e = cats.get(c);
      if (!e) {
        e = { pct: 0, rows: [] };
        cats.set(c, e);
      }
      e.pct += r.pct;
      e.rows.push(r);
    }
    const short = (x: string, n: number) => (x.length > n ? `${x.slice(0, n - 3)}...` : x);
    const us = (pct: number) => (usPerPt !== undefined ? ` ${((usPerPt * pct) / sum).toFixed(1).padStart(5)} µs/pt` : "");
    out.push(
      `-- pid ${pid} ${label}: self time by category (% of this process's samples${usPerPt !== undefined ? `, of its ${usPerPt.toFixed(1)} µs/pt` : ""}; top symbols)`,
    );
    for (const [c, e] of [...cats].sort((a, b) => b[1].pct - a[1].pct)) {
      if (e.pct / sum < 0.002) continue;
      const tops = e.rows
        .slice(0, 3)
        .map((r) => `${short(r.sym.replace(/^\[k\] /, ""), 48)} ${((100 * r.pct) / sum).toFixed(1)}`)
        .join("; ");
      out.push(`  ${((100 * e.pct) / sum).toFixed(1).padStart(5)}%${us(e.pct)}  ${c}${c.startsWith("JS:") ? "" : `  [${tops}]`}`);
    }
    out.push(`-- pid ${pid}: top ${topHere ?? top} symbols by self time`);
    for (const r of rows.slice(0, topHere ?? top)) out.push(`  ${((100 * r.pct) / sum).toFixed(1).padStart(5)}%  ${short(r.sym, 110)}  [${r.dso}]`);
  }
  return out.join("\n");
}

function parseRowsPid(text: string): { pct: number; label: string }[] {
  const rows: { pct: number; label: string }[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*([\d.]+)%\s+(\S.*?)\s*$/.exec(line);
    if (m && !line.trimStart().startsWith("#")) rows.push({ pct: Number(m[1]), label: m[2]! });
  }
  return rows;
}
