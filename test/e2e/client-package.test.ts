// The client library as a package (issue 13): built to plain ES modules + declarations
// (`npm run build:client`), holding only the client and the wire modules it shares (no server code),
// and used from a plain Node program through its exports entry `airspace/client` for a
// connect-send-alert round trip against a local edge (Miniflare, as `npm start` runs it).
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Edge } from "../../scripts/bench/edge.js";
import { buildSnapshot, type Snapshot } from "../../scripts/lib/snapshot.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const secret = randomBytes(24).toString("hex");
let snap: Snapshot | undefined;
let edge: Edge | undefined;

function node(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, args, { cwd: ROOT, timeout: 60_000, env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

beforeAll(async () => {
  const [build] = await Promise.all([
    node([join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.client.json"]),
    (async () => {
      snap = buildSnapshot(ROOT, "client-e2e");
      edge = await Edge.start({ root: ROOT, config: snap.config, secret, label: "client-e2e" });
    })(),
  ]);
  if (build.code !== 0) throw new Error(`build:client failed:\n${build.stdout}${build.stderr}`);
}, 120_000);

afterAll(async () => {
  await edge?.stop();
  snap?.remove();
});

/** Every file under `dir`, relative to it. */
function files(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(dir, join(prefix, e.name)) : [join(prefix, e.name)]));
}

describe("the client package (airspace/client)", () => {
  it("is plain ES modules with declarations, and no server code", () => {
    const dist = join(ROOT, "dist");
    expect(existsSync(join(dist, "client/index.js"))).toBe(true);
    expect(existsSync(join(dist, "client/index.d.ts"))).toBe(true);
    const folders = new Set(files(dist).map((f) => f.split("/")[0]));
    expect([...folders].sort()).toEqual(["client", "gen", "link", "wire"]);
    const wire = files(join(dist, "wire")).filter((f) => f.endsWith(".js"));
    // Only what both ends share: no frame reader, batch codec or link protocol of the gateway.
    expect(wire.sort()).toEqual(["close-codes.js", "columns.js", "manoeuvres.js", "telemetry-stream.js"]);
    expect(files(join(dist, "link")).filter((f) => f.endsWith(".js"))).toEqual(["backoff.js"]);
  });

  // What the built files import, declarations included: ours only from the package itself, and from
  // outside only the dependencies a consumer installs with it (no node: built-ins, no server packages).
  it("imports nothing outside itself but its runtime dependencies", () => {
    const dist = join(ROOT, "dist");
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    const allowed = ["@bufbuild/protobuf", "fzstd", "@bokuweb/zstd-wasm", "ws"];
    for (const dep of allowed) expect(pkg.dependencies[dep], dep).toBeDefined();
    const outside = new Set<string>();
    let relativeImports = 0;
    for (const f of files(dist).filter((x) => /\.(js|d\.ts)$/.test(x))) {
      const text = readFileSync(join(dist, f), "utf8");
      for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm)) {
        const spec = m[1]!;
        if (spec.startsWith(".")) {
          relativeImports++;
          const target = resolve(dirname(join(dist, f)), spec);
          expect(target.startsWith(`${dist}/`), `${f} imports ${spec}`).toBe(true);
          expect(existsSync(target) || existsSync(target.replace(/\.js$/, ".d.ts")), `${f} imports ${spec}`).toBe(true);
        } else if (!allowed.some((a) => spec === a || spec.startsWith(`${a}/`))) outside.add(`${f}: ${spec}`);
      }
    }
    expect(relativeImports).toBeGreaterThan(20);
    expect([...outside]).toEqual([]);
  });

  it("runs a connect-send-alert round trip from a plain Node program", async () => {
    const r = await node([join(ROOT, "test/e2e/client-roundtrip.mjs")], { AIRSPACE_URL: edge!.wsUrl, AIRSPACE_JWT_SECRET: secret });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { welcome: { role: string; relayMaxDrones: number }; alerts: { drone: string; other: string; level: string }[] };
    expect(out.welcome).toEqual({ role: "drone", relayMaxDrones: 2000 });
    expect(out.alerts.map((a) => [a.drone, a.other])).toEqual([
      ["pkg-east", "pkg-west"],
      ["pkg-west", "pkg-east"],
    ]);
    for (const a of out.alerts) expect(["caution", "warning"]).toContain(a.level);
  }, 60_000);
});
