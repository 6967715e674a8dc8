/**
 * Builds the operators' page (src/page) into build/page, the Worker's static assets directory
 * (wrangler.toml `[assets]`): one ES module bundle with uPlot inside (no CDN), its CSS, and the HTML.
 * Synchronous and quick (~100 ms), so `npm start`, the tests and the e2e run build it each time.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { buildSync } from "esbuild";

export function pageOutDir(root: string): string {
  return join(root, "build/page");
}

export function buildPage(root: string): string {
  const out = pageOutDir(root);
  mkdirSync(out, { recursive: true });
  buildSync({
    entryPoints: [join(root, "src/page/main.ts")],
    bundle: true,
    format: "esm",
    target: "es2022",
    minify: true,
    sourcemap: false,
    outdir: out,
    logLevel: "error",
    legalComments: "none",
  });
  for (const f of ["index.html", "style.css"]) copyFileSync(join(root, "src/page", f), join(out, f));
  return out;
}
