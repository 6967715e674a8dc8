/**
 * A plain-text table for a terminal: a header, a rule, one line per row; numbers right-aligned and
 * rounded to two decimals, everything else left-aligned; null and missing cells print as "-".
 */
export type Cell = string | number | boolean | null | undefined;

function show(v: Cell): string {
  if (v === null || v === undefined) return "-";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(2);
  return String(v);
}

export function formatTable(columns: readonly string[], rows: readonly Record<string, Cell>[]): string {
  if (rows.length === 0) return "(no rows)";
  const cells = rows.map((r) => columns.map((c) => show(r[c])));
  const numeric = columns.map((c) => rows.every((r) => typeof r[c] === "number" || r[c] === null || r[c] === undefined));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (vals: readonly string[]) =>
    vals
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(columns), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}
