/**
 * A local edge for one benchmark configuration: Miniflare (or `wrangler dev --local`) on a free loopback port, with its
 * own --persist-to directory (no Durable Object state leaks between runs), per-run `--var` overrides,
 * and the workerd child found under it so its CPU time can be read from /proc. Always stopped by PID.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mintToken } from "../../src/client/token.js";
import { cpuMicros, descendants, freePort, killTreeNow, rssBytes, sleep, stopProcessTree } from "./processes.js";
import { fetchRegionStats, type RegionStats, sumRegionStats } from "./region-stats.js";

export interface EdgeOptions {
  /** Repository root (wrangler.js and the default wrangler.toml live there). */
  root: string;
  /** Wrangler config file; default: the repo's wrangler.toml. */
  config?: string;
  /** `--var NAME:VALUE` overrides (see src/config.ts). */
  vars?: Record<string, string | number>;
  secret: string;
  /** Label for the log file name. */
  label: string;
  /** Give up starting after this long, ms. Default: 90000 */
  startTimeoutMs?: number;
  /**
   * "miniflare": one workerd on Miniflare (scripts/lib/miniflare-runner.ts), as production has no
   * dev proxy; "wrangler": `wrangler dev --local`, which adds its reload proxy (a second workerd every
   * request and socket message passes through). Default: "miniflare"
   */
  runtime?: "miniflare" | "wrangler";
  /** Miniflare only: open workerd's V8 inspector on a free loopback port (Edge.inspectorPort), for CPU profiles. */
  inspector?: boolean;
  /** Miniflare only: V8 flags for workerd (scripts/lib/workerd-v8-flags.ts), e.g. a heap cap. */
  v8Flags?: string[];
  /** Miniflare only: clients reach the Worker on its own socket, not through Miniflare's entry Worker (as in production). */
  direct?: boolean;
}

/** Edges started by this process, stopped synchronously if the process exits without stopping them. */
const live = new Set<Edge>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const e of live) e.killNow();
  });
  for (const sig of ["SIGINT", "SIGTERM"] as const)
    process.once(sig, () => {
      for (const e of live) e.killNow();
      process.exit(sig === "SIGINT" ? 130 : 143);
    });
}

export class Edge {
  readonly port: number;
  readonly url: string;
  readonly wsUrl: string;
  readonly persistDir: string;
  readonly logPath: string;
  private proc: ChildProcess | null = null;
  private workerdPids: number[] = [];
  private opsToken = "";
  /** workerd's inspector port when started with `inspector`, else 0. */
  inspectorPort = 0;

  private constructor(
    private readonly opts: EdgeOptions,
    port: number,
  ) {
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.wsUrl = `ws://127.0.0.1:${port}`;
    this.persistDir = mkdtempSync(join(tmpdir(), `airspace-bench-${opts.label}-`));
    this.logPath = join(this.persistDir, "wrangler.log");
  }

  static async start(opts: EdgeOptions): Promise<Edge> {
    installExitHook();
    const edge = new Edge(opts, await freePort());
    live.add(edge);
    try {
      await edge.launch();
    } catch (e) {
      await edge.stop();
      throw e;
    }
    return edge;
  }

  private async launch(): Promise<void> {
    const o = this.opts;
    if (o.inspector) this.inspectorPort = await freePort();
    const args = (o.runtime ?? "miniflare") === "miniflare" ? this.miniflareArgs() : await this.wranglerArgs();
    const log = openSync(this.logPath, "a");
    this.proc = spawn(process.execPath, args, {
      cwd: o.root,
      stdio: ["ignore", log, log],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1", NO_COLOR: "1" },
    });
    closeSync(log);
    const deadline = Date.now() + (o.startTimeoutMs ?? 90_000);
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) throw new Error(`edge ${o.label} exited with ${this.proc.exitCode}; see ${this.logPath}:\n${this.tail()}`);
      try {
        const r = await fetch(`${this.url}/healthz`);
        if (r.ok) break;
      } catch {
        // not up yet
      }
      await sleep(250);
    }
    if (Date.now() >= deadline)
      throw new Error(`edge ${o.label} did not answer /healthz within ${(o.startTimeoutMs ?? 90_000) / 1000} s; see ${this.logPath}:\n${this.tail()}`);
    // Count every workerd process under the runner (wrangler runs two: its proxy and the Worker's).
    this.workerdPids = descendants(this.proc.pid!)
      .filter((d) => d.comm.startsWith("workerd"))
      .map((d) => d.pid);
    this.opsToken = await mintToken(o.secret, { sub: "bench", fleet: "*", role: "ops" }, { ttlS: 86_400 });
  }

  private miniflareArgs(): string[] {
    const o = this.opts;
    const vars: Record<string, string> = { AIRSPACE_ENV: "local", AIRSPACE_JWT_SECRET: o.secret };
    for (const [k, v] of Object.entries(o.vars ?? {})) vars[k] = String(v);
    const spec = {
      config: o.config ?? join(o.root, "wrangler.toml"),
      port: this.port,
      persist: join(this.persistDir, "state"),
      vars,
      ...(this.inspectorPort ? { inspectorPort: this.inspectorPort } : {}),
      ...(o.v8Flags?.length ? { v8Flags: o.v8Flags } : {}),
      ...(o.direct ? { direct: true } : {}),
    };
    return ["--import", "tsx", join(o.root, "scripts/lib/miniflare-runner.ts"), JSON.stringify(spec)];
  }

  private async wranglerArgs(): Promise<string[]> {
    const o = this.opts;
    return wranglerDevArgs({
      root: o.root,
      port: this.port,
      inspectorPort: await freePort(),
      persistDir: join(this.persistDir, "state"),
      secret: o.secret,
      config: o.config,
      vars: o.vars,
    });
  }

  /** The last lines of the wrangler log, for error messages. */
  tail(lines = 30): string {
    try {
      return readFileSync(this.logPath, "utf8").split("\n").slice(-lines).join("\n");
    } catch {
      return "";
    }
  }

  /** Resident memory of the edge's workerd processes, bytes. */
  rssBytes(): number {
    return rssBytes(this.workerdPids);
  }

  /** The edge's workerd processes. */
  get pids(): readonly number[] {
    return this.workerdPids;
  }

  /** workerd's CPU time so far (user + system, every workerd process of this edge), µs; NaN when none was found. */
  cpuMicros(): number {
    return cpuMicros(this.workerdPids);
  }

  regionStats(region: string): Promise<RegionStats> {
    return fetchRegionStats(this.url, this.opsToken, region, 4);
  }

  /** Stats summed over `regions`. */
  statsOf(regions: Iterable<string>): Promise<RegionStats> {
    return sumRegionStats(regions, (k) => this.regionStats(k));
  }

  /** Last-resort synchronous stop (process exit): SIGKILL wrangler and every process under it, by PID. */
  killNow(): void {
    if (!process.env.BENCH_KEEP_LOGS) rmSync(this.persistDir, { recursive: true, force: true });
    killTreeNow(this.proc);
  }

  /** Stops the runner (and with it workerd) by PID; SIGKILL after 5 s. Removes the persist directory. */
  async stop(): Promise<void> {
    live.delete(this);
    const p = this.proc;
    this.proc = null;
    if (p) await stopProcessTree(p);
    if (!process.env.BENCH_KEEP_LOGS) rmSync(this.persistDir, { recursive: true, force: true });
  }
}

/** Node arguments that run `wrangler dev --local` on loopback for the bench and the profilers. */
export function wranglerDevArgs(o: {
  root: string;
  port: number;
  inspectorPort: number;
  persistDir: string;
  secret: string;
  config?: string;
  vars?: Record<string, string | number>;
}): string[] {
  const args = [
    join(o.root, "node_modules/wrangler/bin/wrangler.js"),
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(o.port),
    "--inspector-port",
    String(o.inspectorPort),
    "--local",
    "--show-interactive-dev-session=false",
    "--persist-to",
    o.persistDir,
    "--var",
    `AIRSPACE_JWT_SECRET:${o.secret}`,
    // A local run: unset means deployed (src/config.ts). `vars` below may name another.
    "--var",
    "AIRSPACE_ENV:local",
  ];
  if (o.config) args.push("--config", o.config);
  for (const [k, v] of Object.entries(o.vars ?? {})) args.push("--var", `${k}:${v}`);
  return args;
}
