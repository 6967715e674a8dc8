/**
 * One edge on Miniflare directly, for `npm start` and the benchmark: the bundled Worker of a wrangler
 * config (its bindings read by wrangler's own unstable_getMiniflareWorkerOptions), served by one
 * workerd on a loopback port. `wrangler dev` puts a second workerd in front of it (its reload proxy),
 * which costs ~29 µs of CPU per socket message, is a hop production does not have, and under a dense
 * relay (36,000 points/s) broke its RPC stream to the Worker's workerd, dropping the relay's socket
 * (docs/platform.md).
 *
 *   tsx scripts/lib/miniflare-runner.ts '{"config": "...", "port": 8787, "persist": "...", "vars": {...}, "build": false}'
 *
 * Runs with AIRSPACE_ENV=local unless the config or `vars` name another environment.
 * With `build`, `config` is a source config (the repo's wrangler.toml) bundled first (scripts/lib/snapshot.ts).
 * Prints "ready <url>" once the Worker answers, and disposes of Miniflare on SIGTERM/SIGINT.
 */
import { dirname } from "node:path";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { buildSnapshot } from "./snapshot.js";
import { injectV8Flags } from "./workerd-v8-flags.js";

interface RunnerOptions {
  config: string;
  port: number;
  persist: string;
  vars: Record<string, string>;
  build?: boolean;
  /** workerd's V8 inspector on this loopback port (the profilers attach to it); none when absent. */
  inspectorPort?: number;
  /** V8 flags for workerd (Miniflare has no option for them): e.g. production's isolate heap limit. */
  v8Flags?: string[];
  /**
   * Serve the Worker itself on `port` (Miniflare's unsafeDirectSockets) and Miniflare's entry Worker on
   * a port of its own: production has no entry Worker in front, and locally it proxies every socket.
   */
  direct?: boolean;
}

const o = JSON.parse(process.argv[2] ?? "{}") as RunnerOptions;
const snapshot = o.build ? buildSnapshot(dirname(o.config), "local", o.config) : null;
const { workerOptions, main } = unstable_getMiniflareWorkerOptions(snapshot?.config ?? o.config);
if (!main) throw new Error(`${o.config} names no main module`);
injectV8Flags(o.v8Flags ?? []);
const mf = new Miniflare({
  ...workerOptions,
  // The snapshot's bundle is one ES module (no_bundle = true): serve it as is.
  modules: true,
  scriptPath: main,
  modulesRoot: dirname(main),
  // A local run (unset AIRSPACE_ENV means deployed: src/config.ts), unless the config or vars name another.
  bindings: { AIRSPACE_ENV: "local", ...(workerOptions.bindings ?? {}), ...o.vars },
  host: "127.0.0.1",
  port: o.direct ? 0 : o.port,
  ...(o.direct ? { unsafeDirectSockets: [{ host: "127.0.0.1", port: o.port }] } : {}),
  durableObjectsPersist: `${o.persist}/do`,
  analyticsEngineDatasetsPersist: `${o.persist}/ae`,
  ...(o.inspectorPort ? { inspectorPort: o.inspectorPort } : {}),
} as ConstructorParameters<typeof Miniflare>[0]);
const url = await mf.ready;
process.stdout.write(`ready ${url.href}\n`);
const stop = () => {
  void mf.dispose().finally(() => {
    snapshot?.remove();
    process.exit(0);
  });
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
