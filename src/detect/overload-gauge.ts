/**
 * Whether a region object keeps up: the time its batches wait between the gateway's flush and their
 * application here (transit plus the object's input queue, which is what grows when one thread cannot
 * keep pace). Once a second it turns the window's p90 into a shed level the gateways act on
 * (src/ingest/load-shed.ts): up one level per overloaded second, down one after SHED_CALM_TICKS calm
 * ones, so a burst does not flap the fleet's rates. Pure: the shell feeds delays and ticks.
 */
import { SHED_CALM_TICKS, SHED_DOWN_MS, SHED_LEVELS, SHED_UP_MS } from "../tunables.js";
import { DelayHistogram } from "./delay-histogram.js";

export const MAX_SHED_LEVEL = SHED_LEVELS.length - 1;

export class OverloadGauge {
  private readonly window = new DelayHistogram();
  private calm = 0;
  level = 0;

  /** A live batch applied `waitMs` after its gateway flushed it (gateway and region clocks: Workers' are synchronised). */
  record(waitMs: number): void {
    this.window.record(waitMs > 0 ? waitMs : 0);
  }

  /** Closes the second: the level from now on, and the window's p90 wait (NaN without batches). */
  tick(): { level: number; changed: boolean; p90Ms: number } {
    const p90Ms = this.window.quantile(0.9);
    this.window.reset();
    const before = this.level;
    if (p90Ms > SHED_UP_MS) {
      this.calm = 0;
      if (this.level < MAX_SHED_LEVEL) this.level++;
    } else if (this.level > 0 && !(p90Ms >= SHED_DOWN_MS)) {
      // A second without batches is calm too: nothing is waiting.
      if (++this.calm >= SHED_CALM_TICKS) {
        this.level--;
        this.calm = 0;
      }
    } else this.calm = 0;
    return { level: this.level, changed: this.level !== before, p90Ms };
  }
}
