/**
 * The fault schedule of a chaos run (scripts/chaos.ts), seeded and pure: region restarts spread over
 * the run, checkpoint failure windows around some of them, upstream link cuts between them, and drone
 * sockets dropped along the way. Times are ms from the start of the run. The schedule keeps the
 * sockets whose alerts are timed up through every restart (a gap must be the restart's, not a
 * reconnect's), and leaves each client alone in the windows it asks for (a staged conflict's).
 */
import { Rng } from "./prng.js";

export type FaultEvent =
  | { kind: "restart"; atMs: number; region: string }
  | { kind: "fail-checkpoints"; atMs: number; region: string; ms: number }
  | { kind: "cut-links"; atMs: number }
  | { kind: "drop-sockets"; atMs: number; clients: string[]; abrupt: boolean };

export interface FaultPlanOptions {
  seed: number;
  durationMs: number;
  restarts: number;
  /** Regions to restart; the first gets two restarts in three (where the timed alerts fly). */
  regions: readonly string[];
  /** Clients whose sockets may be dropped (by name). */
  clients: readonly string[];
  /** Clients whose alerts are timed after each restart: their sockets stay up around restarts. */
  timed?: readonly string[];
  /** Per client, windows [from, to] (ms) in which its socket must stay up. */
  keepUp?: ReadonlyMap<string, readonly (readonly [number, number])[]>;
  /** No fault before this, nor in the last `tailMs` (the edge warms up; the run drains). Default: 3000 each */
  warmupMs?: number;
  tailMs?: number;
}

/** Fewest ms between two restarts: room for a reconnect, a resend and a second of alerts. */
export const MIN_RESTART_SPACING_MS = 3000;
/** A timed client's socket stays up this long before a restart and after it, ms. */
const QUIET_BEFORE_MS = 2000;
const QUIET_AFTER_MS = 1500;
/** Socket drops per restart slot. */
const DROPS_PER_SLOT = 2;

export function planFaults(o: FaultPlanOptions): FaultEvent[] {
  if (o.regions.length === 0) throw new RangeError("planFaults needs at least one region");
  const warmup = o.warmupMs ?? 3000;
  const tail = o.tailMs ?? 3000;
  const span = o.durationMs - warmup - tail;
  const slot = o.restarts > 0 ? span / o.restarts : span;
  if (o.restarts > 0 && slot < MIN_RESTART_SPACING_MS)
    throw new RangeError(
      `${o.restarts} restarts do not fit in ${o.durationMs} ms: at most ${Math.max(0, Math.floor(span / MIN_RESTART_SPACING_MS))} (one per ${MIN_RESTART_SPACING_MS} ms)`,
    );
  const rng = new Rng(o.seed, 0x5eed, 7);
  const events: FaultEvent[] = [];
  const restartAt: number[] = [];
  for (let i = 0; i < o.restarts; i++) {
    // Early in its slot, so the rest of the slot is the restart's aftermath.
    const atMs = Math.round(warmup + i * slot + rng.range(0.1, 0.3) * slot);
    const region = o.regions.length === 1 || i % 3 !== 2 ? o.regions[0]! : o.regions[1 + (Math.floor(i / 3) % (o.regions.length - 1))]!;
    restartAt.push(atMs);
    events.push({ kind: "restart", atMs, region });
    // Every third restart comes while that region's checkpoints fail: the window opens over a tick
    // (one a second) before it, so at least one checkpoint is refused, and closes within a second
    // after it, well inside the gateways' resend window.
    if (i % 3 === 1) {
      const from = atMs - Math.round(rng.range(1200, 2000));
      events.push({ kind: "fail-checkpoints", atMs: from, region, ms: atMs - from + Math.round(rng.range(500, 1000)) });
    }
  }
  const bounds = [warmup, ...restartAt, o.durationMs - tail];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const from = bounds[i]!;
    const to = bounds[i + 1]!;
    // Link cuts halfway between two restarts, every other slot.
    if (i % 2 === 1 || o.restarts === 0) events.push({ kind: "cut-links", atMs: Math.round(from + rng.range(0.4, 0.6) * (to - from)) });
    for (let k = 0; k < DROPS_PER_SLOT; k++) {
      const atMs = Math.round(rng.range(from, to));
      const clients = pickClients(rng, o, atMs, restartAt);
      if (clients.length > 0) events.push({ kind: "drop-sockets", atMs, clients, abrupt: rng.chance(0.5) });
    }
  }
  return events.sort((a, b) => a.atMs - b.atMs);
}

/** One to three clients free to drop at `atMs`. */
function pickClients(rng: Rng, o: FaultPlanOptions, atMs: number, restartAt: readonly number[]): string[] {
  const timed = new Set(o.timed ?? []);
  const nearRestart = restartAt.some((r) => atMs > r - QUIET_BEFORE_MS && atMs < r + QUIET_AFTER_MS);
  const free = o.clients.filter((c) => {
    if (timed.has(c) && nearRestart) return false;
    return !(o.keepUp?.get(c) ?? []).some(([a, b]) => atMs >= a && atMs <= b);
  });
  const n = Math.min(free.length, 1 + Math.floor(rng.range(0, 3)));
  return rng.shuffle([...free]).slice(0, n);
}
