/**
 * The numbers behind the safety-aware stretch's "provably far" verdicts, shared by the region object
 * that issues them and by anything that must predict them (the benchmark's workload). The proof is in
 * docs/reliability.md §4.
 */
import type { Options } from "../config.js";
import { REGION_TICK_MS, VERDICT_SLACK_MS } from "../tunables.js";

type FarOptions = Pick<Options, "conflictRadiusM" | "maxSpeedMps" | "lookaheadS" | "staleAfterMs" | "stretchMaxMs">;

/** How long a verdict holds: to the next tick plus a whole stretch, so a point held just before the tick may still wait its full stretch. */
export function farVerdictValidityMs(o: Pick<Options, "stretchMaxMs">): number {
  return REGION_TICK_MS + o.stretchMaxMs + VERDICT_SLACK_MS;
}

/**
 * A drone is far when no other is within R + vmax·(2(T + V) + S + X): while the verdict holds (V) a
 * pair closes at most 2·vmax·V and a conflict is seen T ahead; others' last known positions may be the
 * stale limit S old, and the drone's own a stretch X old (its points may be waiting at the gateway).
 */
export function farRadiusM(o: FarOptions): number {
  const v = farVerdictValidityMs(o) / 1000;
  return o.conflictRadiusM + o.maxSpeedMps * (2 * (o.lookaheadS + v) + (o.staleAfterMs + o.stretchMaxMs) / 1000);
}
