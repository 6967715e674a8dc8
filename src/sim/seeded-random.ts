/**
 * A small seeded PRNG (mulberry32): uniform [0, 1), deterministic per seed, for jitter in tests and
 * for benchmarks whose before/after runs must see the same load. (The simulator has its own
 * splittable generator, src/sim/prng.ts, so one drone's draws never shift another's.)
 */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return function mulberry32(): number {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
