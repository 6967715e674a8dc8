// Prints README's configuration table from src/config.ts (the single source of every default).
import { readFileSync } from "node:fs";
import { describeOptions } from "../src/config.js";

const src = readFileSync(new URL("../src/config.ts", import.meta.url), "utf8");
const docs = new Map<string, string>();
for (const m of src.matchAll(/\/\*\* (.+?) Env (\w+)\. Default: .+? \*\/\n\s+\w+: number;/g)) docs.set(m[2]!, m[1]!);
console.log("| variable | default | meaning |");
console.log("|---|---|---|");
for (const o of describeOptions()) {
  const dflt = o.key === "haloM" ? "R + 2 × MAX_SPEED_MPS × T (1015)" : String(o.default);
  console.log(`| \`${o.env}\` | ${dflt} | ${docs.get(o.env) ?? ""} |`);
}
