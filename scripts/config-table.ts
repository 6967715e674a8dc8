// Prints README's configuration table from src/config.ts (the single source of every default);
// with --write, replaces the table between README's config-table markers.
import { readFileSync, writeFileSync } from "node:fs";
import { describeOptions, describeTextOptions } from "../src/config.js";
import { commandLineOrExit } from "./lib/cli.mjs";

const { write } = commandLineOrExit(process.argv.slice(2), {
  name: "config-table",
  usage: "usage: npx tsx scripts/config-table.ts [--write]\n\nPrints README's configuration table from src/config.ts; --write replaces it in README.md.",
  options: { write: { type: "boolean" } },
} as const);

const rows = ["| variable | default | meaning |", "|---|---|---|"];
for (const o of [...describeOptions(), ...describeTextOptions()]) rows.push(`| \`${o.env}\` | ${o.default} | ${o.doc} |`);
const table = rows.join("\n");
if (write) {
  const readmeUrl = new URL("../README.md", import.meta.url);
  const readme = readFileSync(readmeUrl, "utf8");
  const begin = readme.indexOf("-->", readme.indexOf("<!-- config-table")) + 3;
  const end = readme.indexOf("<!-- /config-table -->");
  if (begin < 3 || end < 0) throw new Error("README.md lacks the config-table markers");
  writeFileSync(readmeUrl, `${readme.slice(0, begin)}\n${table}\n${readme.slice(end)}`);
} else {
  console.log(table);
}
