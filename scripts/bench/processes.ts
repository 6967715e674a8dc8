/**
 * The local processes the benchmark and the profilers start: a free loopback port for them, their
 * descendants and CPU time read from /proc, and stopping a whole tree by PID (never by name: other
 * workerd processes on the machine are not ours).
 */
import type { ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { parseProcCpuTicks } from "./stats.js";

/** Clock ticks per second for /proc/<pid>/stat utime/stime (`getconf CLK_TCK`; 100 on Linux). */
export const CLK_TCK = 100;

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * A free loopback port: one the OS picks, or, with BENCH_PORT_RANGE=<first>-<last> set (machines shared by
 * several runs that each own a range), the next free one in that range.
 */
export async function freePort(): Promise<number> {
  const range = /^(\d+)-(\d+)$/.exec(process.env.BENCH_PORT_RANGE ?? "");
  if (!range) return listenOn(0);
  const first = Number(range[1]);
  const last = Number(range[2]);
  for (let i = 0; i <= last - first; i++) {
    const port = first + ((nextInRange + i) % (last - first + 1));
    try {
      await listenOn(port);
      nextInRange = port - first + 1; // not handed out twice in a row before the first is bound
      return port;
    } catch {
      // taken
    }
  }
  throw new Error(`no free port in BENCH_PORT_RANGE ${range[0]}`);
}

let nextInRange = 0;

function listenOn(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(port, "127.0.0.1", () => {
      const addr = srv.address();
      const bound = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(bound));
    });
  });
}

/** Every descendant of `pid` (from /proc/<n>/stat ppid fields). */
export function descendants(pid: number): { pid: number; comm: string }[] {
  const parent = new Map<number, { ppid: number; comm: string }>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = readFileSync(`/proc/${name}/stat`, "utf8");
      const close = text.lastIndexOf(")");
      const comm = text.slice(text.indexOf("(") + 1, close);
      const ppid = Number(text.slice(close + 2).split(" ")[1]);
      parent.set(Number(name), { ppid, comm });
    } catch {
      // the process exited meanwhile
    }
  }
  const out: { pid: number; comm: string }[] = [];
  const frontier = [pid];
  while (frontier.length > 0) {
    const p = frontier.pop()!;
    for (const [child, info] of parent) {
      if (info.ppid === p) {
        out.push({ pid: child, comm: info.comm });
        frontier.push(child);
      }
    }
  }
  return out;
}

/** CPU time so far (user + system) of `pids` together, µs; NaN when none of them is alive. */
export function cpuMicros(pids: readonly number[]): number {
  let ticks = 0;
  let found = 0;
  for (const pid of pids) {
    try {
      ticks += parseProcCpuTicks(readFileSync(`/proc/${pid}/stat`, "utf8"));
      found++;
    } catch {
      // a short-lived helper that exited: it no longer counts
    }
  }
  return found > 0 ? (ticks * 1e6) / CLK_TCK : NaN;
}

/** Resident memory of `pids` together, bytes (VmRSS); NaN when none of them is alive. */
export function rssBytes(pids: readonly number[]): number {
  let kb = 0;
  let found = 0;
  for (const pid of pids) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) {
        kb += Number(m[1]);
        found++;
      }
    } catch {
      // exited
    }
  }
  return found > 0 ? kb * 1024 : NaN;
}

/** Last-resort synchronous stop (process exit, a signal, a watchdog): SIGKILL to `p` and every process under it. */
export function killTreeNow(p: ChildProcess | null): void {
  if (!p || p.pid === undefined || p.exitCode !== null || p.signalCode !== null) return;
  for (const pid of [...descendants(p.pid).map((d) => d.pid), p.pid]) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** SIGTERM to `p`, SIGKILL after 5 s, then SIGKILL to any child of it still alive. */
export async function stopProcessTree(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const kids = descendants(p.pid!);
  const exited = new Promise<void>((resolve) => p.once("exit", () => resolve()));
  p.kill("SIGTERM");
  const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
  if (!done) p.kill("SIGKILL");
  // workerd normally exits with its parent; make sure no child of ours outlives it.
  await sleep(200);
  for (const k of kids) {
    try {
      process.kill(k.pid, 0);
      process.kill(k.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
