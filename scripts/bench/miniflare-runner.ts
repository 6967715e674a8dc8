/**
 * One edge on Miniflare directly, for the benchmark: the bundled Worker of a wrangler config (its
 * bindings read by wrangler's own unstable_getMiniflareWorkerOptions), served by one workerd on a
 * loopback port. `wrangler dev` puts a second workerd in front of it (its reload proxy), which on a
 * 2-core machine costs ~29 µs of CPU per socket message and a hop that production does not have.
 *
 *   tsx scripts/bench/miniflare-runner.ts '{"config": "...", "port": 8787, "persist": "...", "vars": {...}}'
 *
 * Prints "ready <url>" once the Worker answers, and disposes of Miniflare on SIGTERM/SIGINT.
 */
import { dirname } from "node:path";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";

interface RunnerOptions {
  config: string;
  port: number;
  persist: string;
  vars: Record<string, string>;
}

const o = JSON.parse(process.argv[2] ?? "{}") as RunnerOptions;
const { workerOptions, main } = unstable_getMiniflareWorkerOptions(o.config);
if (!main) throw new Error(`${o.config} names no main module`);
const mf = new Miniflare({
  ...workerOptions,
  // The snapshot's bundle is one ES module (no_bundle = true): serve it as is.
  modules: true,
  scriptPath: main,
  modulesRoot: dirname(main),
  bindings: { ...(workerOptions.bindings ?? {}), ...o.vars },
  host: "127.0.0.1",
  port: o.port,
  durableObjectsPersist: `${o.persist}/do`,
  analyticsEngineDatasetsPersist: `${o.persist}/ae`,
} as ConstructorParameters<typeof Miniflare>[0]);
const url = await mf.ready;
process.stdout.write(`ready ${url.href}\n`);
const stop = () => {
  void mf.dispose().finally(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
