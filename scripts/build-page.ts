// `npm run build:page`: the operators' page into build/page (scripts/lib/page-build.ts).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildPage } from "./lib/page-build.js";

console.log(`page built into ${buildPage(join(dirname(fileURLToPath(import.meta.url)), ".."))}`);
