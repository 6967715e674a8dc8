/** A fuzz report as the lines `npm run fuzz` prints: a row per kind, then the violations and how to replay them. */
import type { FuzzReport } from "./fuzz-tally.js";
import { KIND_NAMES } from "./hostile-cases.js";

function outcomes(row: Record<string, number>): string {
  return Object.entries(row)
    .sort((a, b) => b[1] - a[1])
    .map(([label, n]) => `${label} ${n}`)
    .join(" · ");
}

/** `timed`: the run had a clock, so the slowest case of each kind is shown. */
export function reportLines(r: FuzzReport, timed: boolean): string[] {
  const width = Math.max(...KIND_NAMES.map((k) => k.length));
  const lines = [`${"kind".padEnd(width)}  ${"cases".padStart(7)}  ${timed ? "slowest  " : ""}outcomes`];
  for (const kind of KIND_NAMES) {
    const row = r.byKind[kind];
    if (!row) continue;
    const n = Object.values(row).reduce((a, b) => a + b, 0);
    const slow = timed ? `${`${(r.slowest[kind]?.ms ?? 0).toFixed(1)} ms`.padStart(9)}  ` : "";
    lines.push(`${kind.padEnd(width)}  ${String(n).padStart(7)}  ${slow}${outcomes(row)}`);
  }
  const all: Record<string, number> = {};
  for (const row of Object.values(r.byKind)) for (const [label, n] of Object.entries(row)) all[label] = (all[label] ?? 0) + n;
  lines.push(`${"all".padEnd(width)}  ${String(r.cases).padStart(7)}  ${timed ? " ".repeat(11) : ""}${outcomes(all)}`);
  const total = r.violations.length + r.moreViolations;
  lines.push(`${r.cases} cases on ${r.sessions} sockets, seed ${r.seed}: ${total} violation(s)`);
  for (const v of r.violations) {
    lines.push(`  case ${v.index} (${v.kind}${v.detail ? `: ${v.detail}` : ""}): ${v.problem}`);
    if (v.head) lines.push(`    ${v.head}`);
    lines.push(`    replay: npm run fuzz -- --seed ${r.seed} --cases ${v.index + 1}`);
  }
  if (r.moreViolations > 0) lines.push(`  … and ${r.moreViolations} more`);
  return lines;
}
