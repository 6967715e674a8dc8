/**
 * Seeded draws for the hostile-frame generator. Each case gets its own generator, derived from the run's
 * seed and the case's index, so a case's bytes never depend on how many draws earlier cases made.
 */
import { seededRandom } from "../sim/seeded-random.js";

/** Uniform [0, 1). */
export type Draw = () => number;

/** The generator of case `index` of the run seeded `seed`. */
export function caseDraw(seed: number, index: number): Draw {
  // Golden-ratio spacing keeps neighbouring (seed, index) pairs far apart in mulberry32's state.
  return seededRandom((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
}

/** An integer in [lo, hi]. */
export function int(r: Draw, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

export function pick<T>(r: Draw, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

export function chance(r: Draw, p: number): boolean {
  return r() < p;
}

/** `n` uniformly random bytes. */
export function randomBytes(r: Draw, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(r() * 256);
  return out;
}

/** A length that is usually small and sometimes not: most bugs live at short inputs, some at long ones. */
export function skewedLength(r: Draw, max: number): number {
  return Math.min(max, Math.floor(2 ** (r() * Math.log2(max + 1))));
}
