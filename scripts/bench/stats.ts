/**
 * Pure helpers of `npm run bench`: medians and percentiles, the /proc CPU parser, the result table and
 * the offered-rate search. No I/O, so test/scripts/bench.test.ts can hold them to their contracts.
 */

/** Median of the finite values; NaN when there are none. */
export function median(values: readonly number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 === 1 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

/** Nearest-rank percentile (p in [0, 100]) of the finite values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const rank = Math.ceil((Math.min(100, Math.max(0, p)) / 100) * v.length);
  return v[Math.max(0, rank - 1)]!;
}

/** user + system CPU time in clock ticks from the text of /proc/<pid>/stat (fields 14 and 15). */
export function parseProcCpuTicks(stat: string): number {
  // comm (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
  const close = stat.lastIndexOf(")");
  if (close < 0) throw new Error("not a /proc/<pid>/stat line");
  const rest = stat
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state), so field n is rest[n - 3].
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error("no utime/stime in /proc stat line");
  return utime + stime;
}

/** One line of the result table. `better` says which way the target points ("max" = value ≤ target). */
export interface Figure {
  /** Stable key for the JSON output, e.g. "relay.maxPointsPerS". */
  key: string;
  figure: string;
  value: number;
  unit: string;
  /** What the value is compared with, measured in the same run (or null). */
  baseline: number | null;
  baselineLabel?: string;
  /** value ÷ baseline, when both are known. */
  ratio: number | null;
  /** Human-readable target, e.g. "≥ 200,000", and the check itself. */
  target: string;
  met: boolean | null;
  /** Every repetition's value (the figure is their median). */
  runs?: number[];
  note?: string;
}

/** `value >= min` or `value <= max`, null when the value is not a number. */
export function check(value: number, op: ">=" | "<=", bound: number): boolean | null {
  if (!Number.isFinite(value)) return null;
  return op === ">=" ? value >= bound : value <= bound;
}

export function ratioOf(value: number, baseline: number | null): number | null {
  if (baseline === null || !Number.isFinite(value) || !Number.isFinite(baseline) || baseline === 0) return null;
  return value / baseline;
}

/** Compact number: integers with thousands separators, small values with 2-3 significant decimals. */
export function fmtNumber(x: number | null | undefined): string {
  if (x === null || x === undefined) return "–";
  if (!Number.isFinite(x)) return "n/a";
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString("en-US");
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  if (a === 0) return "0";
  return x.toPrecision(2);
}

/** The one result table: figure | value | baseline | ratio | target | met?, as aligned plain text. */
export function formatTable(figures: readonly Figure[]): string {
  const header = ["figure", "value", "baseline", "ratio", "target", "met?"];
  const rows = figures.map((f) => [
    f.figure,
    `${fmtNumber(f.value)}${f.unit ? ` ${f.unit}` : ""}`,
    f.baseline === null ? "–" : `${fmtNumber(f.baseline)}${f.baselineLabel ? ` (${f.baselineLabel})` : ""}`,
    f.ratio === null ? "–" : `${fmtNumber(f.ratio)}×`,
    f.target || "–",
    f.met === null ? "–" : f.met ? "yes" : "NO",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 1 || i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** The same table as Markdown (for docs/performance.md). */
export function formatMarkdown(figures: readonly Figure[]): string {
  const out = ["| figure | value | baseline | ratio | target | met? |", "|---|---:|---|---:|---|---|"];
  for (const f of figures)
    out.push(
      `| ${f.figure} | ${fmtNumber(f.value)}${f.unit ? ` ${f.unit}` : ""} | ${f.baseline === null ? "–" : `${fmtNumber(f.baseline)}${f.baselineLabel ? ` (${f.baselineLabel})` : ""}`} | ${f.ratio === null ? "–" : `${fmtNumber(f.ratio)}×`} | ${f.target || "–"} | ${f.met === null ? "–" : f.met ? "yes" : "**no**"} |`,
    );
  return out.join("\n");
}

/**
 * The offered-rate search for "maximum sustained rate with zero loss": double from `start` until a
 * probe fails (or `max` passes), then bisect `refine` times between the last pass and the first
 * failure. `probe` runs one bounded measurement at a rate and says whether it passed. Returns the
 * highest passing rate (0 when even `start` fails: then it bisects down towards `start / 2^refine`).
 */
export async function searchMaxRate(
  probe: (rate: number) => Promise<boolean>,
  opts: { start: number; max: number; refine: number; maxProbes?: number },
): Promise<{ best: number; probes: { rate: number; ok: boolean }[] }> {
  const probes: { rate: number; ok: boolean }[] = [];
  const budget = opts.maxProbes ?? 12;
  const run = async (rate: number) => {
    const ok = await probe(rate);
    probes.push({ rate, ok });
    return ok;
  };
  let lo = 0;
  let hi = Infinity;
  let rate = opts.start;
  while (probes.length < budget) {
    if (await run(rate)) {
      lo = rate;
      if (rate >= opts.max) return { best: lo, probes };
      rate = Math.min(opts.max, rate * 2);
    } else {
      hi = rate;
      break;
    }
  }
  if (hi === Infinity) return { best: lo, probes };
  for (let i = 0; i < opts.refine && probes.length < budget; i++) {
    const mid = Math.round((lo + hi) / 2);
    if (await run(mid)) lo = mid;
    else hi = mid;
  }
  return { best: lo, probes };
}
