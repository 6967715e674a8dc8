// The floor plan, enforced: which folder of src/ may import which (docs/architecture.md). Reads every
// import statement under src/ (generated code aside) and fails on an edge outside the rules, so the
// layout cannot rot one convenient import at a time.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = join(dirname(fileURLToPath(import.meta.url)), "../src");

/** The pure folders: no Workers API, unit-tested in Node. */
const PURE = ["wire", "geo", "ingest", "link", "detect", "client", "sim", "replay", "page", "fuzz", "export", "tracing"];
/** What each place may import besides itself; `config` (options, pure), `tunables` (fixed numbers) and `gen` (the wire's generated types) are open to all. */
const ALLOWED: Record<string, string[]> = {
  wire: [],
  geo: [],
  ingest: ["wire", "geo"],
  link: ["wire"],
  detect: ["wire", "geo"],
  // OpenTelemetry spans over the api: a tracer, its buffer and the OTLP exporter, nothing else of ours.
  tracing: [],
  // The Worker shell also consumes the export queue (delivery policy, signature).
  gateway: ["ingest", "link", "wire", "geo", "export", "env", "tracing"],
  region: ["detect", "link", "wire", "geo", "export", "env", "tracing"],
  // The ingest hub shell: link machinery (its window, backoff) and the wire, nothing of the region's.
  hub: ["link", "wire", "env"],
  // The fleet quota object shell: its lease table and claims are ingest's (pure), it adds the object.
  fleet: ["ingest", "wire", "env"],
  // The client shares the wire and the link's reconnect backoff with the gateway, nothing else.
  client: ["wire", "link"],
  sim: ["client", "wire", "geo", "detect"],
  replay: ["client", "wire", "geo"],
  // The hostile-bytes fuzzer: the client's frames, broken, fed to the gateway's socket pipeline (ingest);
  // sim lends it the seeded PRNG.
  fuzz: ["ingest", "client", "wire", "sim"],
  // The operators' page runs in a browser: it reads the ops stream's messages and nothing else of ours.
  page: ["wire"],
  // Event export: the region's outputs (types) as exported events, signed and delivered by the shells.
  export: ["detect", "wire"],
  "index.ts": ["gateway", "region", "hub", "fleet", "env"],
  "config.ts": ["geo"],
  // The bindings name the Durable Object classes (types only).
  "env.ts": ["region"],
  "log.ts": [],
  "tunables.ts": [],
  "options-table.ts": [],
};
const OPEN = ["config", "options-table", "gen", "log", "tunables"];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return n === "gen" ? [] : sources(p);
    return p.endsWith(".ts") && !p.endsWith(".d.ts") ? [p] : []; // generated declarations aside
  });
}

/** `wire`, `config` (for src/config.ts), … : where a path under src/ belongs. */
function placeOf(path: string): string {
  const top = relative(SRC, path).split(sep)[0]!;
  return top.endsWith(".ts") || top.endsWith(".js") ? top.replace(/\.js$/, ".ts") : top;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? m[2]!);
}

describe("the floor plan", () => {
  const files = sources(SRC);

  it("finds the layout it checks", () => {
    for (const d of [...PURE, "gateway", "region"])
      expect(
        files.some((f) => placeOf(f) === d),
        d,
      ).toBe(true);
  });

  it("imports point one way: shells → pure folders → wire and geo", () => {
    const bad: string[] = [];
    for (const f of files) {
      const from = placeOf(f);
      const allowed = ALLOWED[from];
      if (!allowed) {
        bad.push(`${relative(SRC, f)}: a place the floor plan does not name`);
        continue;
      }
      for (const spec of importsOf(f)) {
        if (!spec.startsWith(".")) {
          if (spec.startsWith("cloudflare:") && PURE.includes(from)) bad.push(`${relative(SRC, f)} → ${spec}: a Workers API in a pure folder`);
          continue;
        }
        const to = placeOf(normalize(join(dirname(f), spec)));
        const name = to.replace(/\.ts$/, "");
        if (to === from || OPEN.includes(name) || allowed.includes(name) || allowed.includes(to)) continue;
        bad.push(`${relative(SRC, f)} → ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
