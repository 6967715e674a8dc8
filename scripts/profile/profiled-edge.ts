/**
 * The local edge that the profilers measure, shared by scripts/profile/edge-profile.ts (CPU) and
 * scripts/profile/heap-profile.ts (allocations) so that both profile the same thing, started, attached to and
 * stopped in one way; each script keeps only its profiler calls and its report.
 *
 * Like `npm run bench`: bundles the Worker once (frozen snapshot, copied to <out>.bundle.js(.map) for
 * re-analysis), runs `wrangler dev --local` on free loopback ports with an inspector port (spawned here, not
 * through scripts/bench/edge.ts's Edge, to know that port; log in <out>.wrangler.log), finds the inspector
 * targets (workerd's own inspector, and wrangler's proxy, which holds workerd's one session for the user Worker
 * core:user:airspace) and runs the bench's drone-sockets load (scripts/bench/drone-sockets.ts) against it.
 * Everything it starts is stopped by PID, also on a signal, a crash or the watchdog.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, copyFileSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { mintToken } from "../../src/client/token.js";
import { runDroneSockets, type SocketsResult } from "../bench/drone-sockets.js";
import { wranglerDevArgs, type Edge } from "../bench/edge.js";
import { cpuMicros, descendants, freePort, killTreeNow, sleep, stopProcessTree } from "../bench/processes.js";
import { fetchRegionStats, type RegionStats, sumRegionStats } from "../bench/region-stats.js";
import { buildSnapshot } from "../lib/snapshot.js";
import { CdpSession, listeningPorts, listTargets, type CdpTarget } from "./cdp.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

/** `p`, or a rejection naming `what` after `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, sleep(ms).then(() => Promise.reject(new Error(`${what}: no result within ${ms / 1000} s`)))]);
}

export interface ProfiledEdgeOptions {
  /** Prefix of the files written here: <out>.bundle.js(.map), <out>.wrangler.log. */
  out: string;
  /** Names the frozen build and the temp state dir (airspace-<label>-…). */
  label: string;
  /** The script, for "<name> failed: …". */
  name: string;
  /** Default 170 s. */
  watchdogMs?: number;
  /** `--var NAME:VALUE` overrides for the edge (src/config.ts). */
  vars?: Record<string, string | number>;
}

export interface WorkerdProcess {
  pid: number;
  comm: string;
  /** "runtime (user Worker + DOs)" (has the inspector), "wrangler proxy (entry port)" or "workerd". */
  role: string;
}

export interface DroneLoad {
  /** The run's result; reject after the run's end, awaited by the caller. */
  load: Promise<SocketsResult>;
  /** Region stats summed over the regions the load reports into (its live set). */
  stats: () => Promise<RegionStats>;
}

/**
 * One profiling run's edge. The constructor installs the exit/signal hooks and the watchdog; `run(main)` runs
 * the script's body, then exits (0, or 1 after stopping everything). In the body: `start()`, `targets()` and
 * `attach()`, `startLoad()`, the profiling, `stop()`.
 */
export class ProfiledEdge {
  readonly secret = randomBytes(24).toString("hex");
  readonly log: (s: string) => void;
  url = "";
  port = 0;
  inspectorPort = 0;
  /** <out>.bundle.js, and the bundle's name as the isolate's scripts see it. */
  bundle = "";
  bundleName = "";
  workerd: WorkerdProcess[] = [];

  private wrangler: ChildProcess | null = null;
  private readonly tempDirs: string[] = [];
  private readonly sessions: CdpSession[] = [];
  private readonly watchdog: NodeJS.Timeout;

  constructor(private readonly o: ProfiledEdgeOptions) {
    const t0 = performance.now();
    this.log = (s) => console.log(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${s}`);
    process.on("exit", () => this.cleanupSync());
    for (const sig of ["SIGINT", "SIGTERM"] as const)
      process.once(sig, () => {
        this.cleanupSync();
        process.exit(sig === "SIGINT" ? 130 : 143);
      });
    const ms = o.watchdogMs ?? 170_000;
    this.watchdog = setTimeout(() => {
      console.error(`watchdog: run exceeded ${ms / 1000} s, stopping`);
      this.cleanupSync();
      process.exit(3);
    }, ms);
  }

  /** Runs `main`, then exits: 0, or 1 with the error after stopping everything. */
  run(main: () => Promise<void>): void {
    main().then(
      () => {
        clearTimeout(this.watchdog);
        process.exit(0);
      },
      async (e) => {
        console.error(`${this.o.name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        await this.cleanup().catch(() => {});
        process.exit(1);
      },
    );
  }

  /** Frozen bundle (kept at <out>.bundle.js), then `wrangler dev` with an inspector port, up once /healthz answers. */
  async start(): Promise<void> {
    const { out, label } = this.o;
    const snap = buildSnapshot(ROOT, label);
    this.tempDirs.push(snap.dir);
    this.bundleName = readdirSync(join(snap.dir, "dist")).find((f) => f.endsWith(".js"))!;
    this.bundle = `${out}.bundle.js`;
    copyFileSync(join(snap.dir, "dist", this.bundleName), this.bundle);
    try {
      copyFileSync(join(snap.dir, "dist", `${this.bundleName}.map`), `${this.bundle}.map`);
    } catch {
      this.log("no source map next to the bundle: locations stay bundle lines");
    }
    this.log(`bundled ${this.bundleName} → ${this.bundle}`);

    // As scripts/bench/edge.ts starts it (sockets scenario: no extra vars), plus --inspector-port.
    this.port = await freePort();
    this.inspectorPort = await freePort();
    const persist = mkdtempSync(join(tmpdir(), `airspace-${label}-`));
    this.tempDirs.push(persist);
    const logPath = `${out}.wrangler.log`;
    const logFd = openSync(logPath, "a");
    const wrangler = spawn(
      process.execPath,
      wranglerDevArgs({
        root: ROOT,
        port: this.port,
        inspectorPort: this.inspectorPort,
        persistDir: join(persist, "state"),
        secret: this.secret,
        config: snap.config,
        vars: this.o.vars,
      }),
      { cwd: ROOT, stdio: ["ignore", logFd, logFd], env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1", NO_COLOR: "1" } },
    );
    this.wrangler = wrangler;
    closeSync(logFd);
    this.url = `http://127.0.0.1:${this.port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (wrangler.exitCode !== null) throw new Error(`wrangler exited with ${wrangler.exitCode}; see ${logPath}`);
      if (Date.now() > deadline) throw new Error(`no /healthz within 60 s; see ${logPath}`);
      try {
        if ((await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(2000) })).ok) break;
      } catch {
        // not up yet
      }
      await sleep(250);
    }
    this.workerd = descendants(wrangler.pid!)
      .filter((d) => d.comm.startsWith("workerd"))
      .map((d) => {
        const cmd = readFileSync(`/proc/${d.pid}/cmdline`, "utf8").split("\0");
        const role = cmd.some((a) => a.startsWith("--inspector-addr"))
          ? "runtime (user Worker + DOs)"
          : cmd.some((a) => a.includes(`:${this.port}`))
            ? "wrangler proxy (entry port)"
            : "workerd";
        return { ...d, role };
      });
    this.log(`wrangler dev up on ${this.url} (pid ${wrangler.pid}); workerd: ${this.workerd.map((w) => `${w.pid} = ${w.role}`).join(", ")}`);
  }

  /**
   * Inspector targets, the user Worker first. workerd's own inspector lists every worker of the runtime process,
   * but takes one session per target, and wrangler's inspector proxy already holds the user Worker's: when the
   * proxy lists a target (`proxied`), the first target is the user Worker through the proxy (with workerd's id),
   * the others are direct.
   */
  async targets(): Promise<{ targets: CdpTarget[]; proxied: boolean }> {
    let targets: CdpTarget[] = [];
    for (const w of this.workerd.filter((w) => w.role.startsWith("runtime"))) {
      for (const p of listeningPorts(w.pid)) {
        const t = await listTargets(p);
        if (t.some((x) => x.id.startsWith("core:user:"))) {
          targets = t;
          this.log(`workerd inspector of pid ${w.pid} on port ${p}: ${t.map((x) => x.id).join(", ")}`);
        }
      }
    }
    const viaProxy = await listTargets(this.inspectorPort);
    this.log(`wrangler's inspector proxy (:${this.inspectorPort}) lists: ${viaProxy.map((x) => `${x.id} "${x.title}"`).join(", ") || "nothing"}`);
    if (viaProxy.length > 0) {
      const user = { ...viaProxy[0]!, id: targets.find((t) => t.id.startsWith("core:user:"))?.id ?? "core:user (via wrangler proxy)" };
      targets = [user, ...targets.filter((t) => t.id !== user.id)];
    }
    return { targets, proxied: viaProxy.length > 0 };
  }

  /** A CDP session on `target`, closed by `stop()`. */
  async attach(target: CdpTarget): Promise<CdpSession> {
    const s = await CdpSession.connect(target.webSocketDebuggerUrl, target.id);
    this.sessions.push(s);
    return s;
  }

  /**
   * Starts the bench's drone-sockets load (through a stand-in for Edge: only what runDroneSockets uses) and
   * resolves once every socket is connected and reports flow (within 60 s).
   */
  async startLoad(o: { sockets: number; pairs: number; durationMs: number; idPrefix: string }): Promise<DroneLoad> {
    const opsToken = await mintToken(this.secret, { sub: "profile", fleet: "*", role: "ops" }, { ttlS: 86_400 });
    let regionsRef: Iterable<string> = [];
    let loadStarted!: () => void;
    const started = new Promise<void>((r) => (loadStarted = r));
    const regionStats = (region: string) => fetchRegionStats(this.url, opsToken, region, 1);
    const statsOf = (regions: Iterable<string>): Promise<RegionStats> => {
      regionsRef = regions; // runDroneSockets' live set of regions
      return sumRegionStats([...regions], regionStats);
    };
    const pids = this.workerd.map((w) => w.pid);
    const fakeEdge = {
      url: this.url,
      wsUrl: `ws://127.0.0.1:${this.port}`,
      regionStats,
      statsOf,
      // runDroneSockets reads the CPU right before its first report: that is "load started".
      cpuMicros: () => {
        loadStarted();
        return cpuMicros(pids);
      },
    } as unknown as Edge;
    const load = runDroneSockets(fakeEdge, this.secret, {
      drones: o.sockets,
      pairsPerKind: o.pairs,
      durationMs: o.durationMs,
      seed: 1,
      idPrefix: o.idPrefix,
      log: this.log,
    });
    load.catch(() => {}); // awaited by the caller
    await withTimeout(Promise.race([started, load.then(() => Promise.reject(new Error("load ended before it started")))]), 60_000, "connecting the sockets");
    return { load, stats: () => statsOf(regionsRef) };
  }

  /** Closes the sessions, stops wrangler and its workerd (SIGTERM, then SIGKILL by PID), removes the temp dirs. */
  async stop(): Promise<void> {
    await this.cleanup();
    this.log("edge stopped");
  }

  private async cleanup(): Promise<void> {
    for (const s of this.sessions.splice(0)) s.close();
    if (this.wrangler) await stopProcessTree(this.wrangler);
    this.wrangler = null;
    for (const d of this.tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }

  /** On exit, a signal or the watchdog: SIGKILL to wrangler and every descendant, by PID. */
  private cleanupSync(): void {
    for (const s of this.sessions.splice(0)) s.close();
    killTreeNow(this.wrangler);
    this.wrangler = null;
    for (const d of this.tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}
