/**
 * What every scenario's figure builder shares: a figure row before its ratio is filled in, and the
 * medians over repeated runs that each figure is made of.
 */
import { type Figure, median } from "../stats.js";

/** A figure as a builder writes it; a missing `ratio` is value ÷ baseline (figures.ts fills it in). */
export type FigureRow = Omit<Figure, "ratio"> & { ratio?: number | null };

/** The median over runs of one number of each run. */
export const med = <T>(xs: T[], f: (x: T) => number) => median(xs.map(f));

/** One number of each run, for a figure's `runs`. */
export const runsOf = <T>(xs: T[], f: (x: T) => number) => xs.map(f);

/**
 * The median over runs of run ÷ its baseline run (the one of the same index, run in the same round):
 * `fallback` stands in for a baseline run that is missing.
 */
export function medianRatio<T>(runs: T[], baselines: T[], f: (x: T) => number, fallback: (run: T) => T): number {
  return median(runs.map((r, i) => f(r) / f(baselines[i] ?? fallback(r))));
}
