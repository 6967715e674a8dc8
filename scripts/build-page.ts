// `npm run build:page`: the operators' page into build/page (scripts/lib/page-build.ts).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { commandLineOrExit } from "./lib/cli.mjs";
import { buildPage } from "./lib/page-build.js";

commandLineOrExit(process.argv.slice(2), {
  name: "build:page",
  usage: "usage: npm run build:page\n\nBuilds the operators' page (src/page) into build/page.",
  options: {},
});

console.log(`page built into ${buildPage(join(dirname(fileURLToPath(import.meta.url)), ".."))}`);
