/**
 * A region's slow chores, run from its tick at most once a minute each: retention of its tables and
 * each fleet's cap on stored events, forgetting links whose gateway session ended, and telling the
 * directory the region is active (a stateless Worker cannot enumerate Durable Objects, so the
 * directory is how regions are listed).
 */
import type { Options } from "../config.js";
import type { Env } from "../env.js";
import { type LinkLedger, linkForgetMs } from "../link/link-ledger.js";
import { log } from "../log.js";
import { DIRECTORY_REPORT_MS, PRUNE_EVERY_MS } from "../tunables.js";
import type { RegionReport } from "./region-directory.js";
import type { RegionStore } from "./region-store.js";

export class Housekeeping {
  private lastPruneMs = 0;
  private lastReportMs = 0;

  constructor(
    private readonly opts: Options,
    private readonly store: RegionStore,
    private readonly ledger: LinkLedger,
    private readonly directory: Env["DIRECTORY"],
  ) {}

  /** `openLinks`: links with a socket now (never forgotten); `now`: this second's drones heard, points accepted a second, open conflicts. */
  async run(region: string, nowMs: number, openLinks: () => Set<string>, now: Omit<RegionReport, "region">): Promise<void> {
    if (nowMs - this.lastPruneMs >= PRUNE_EVERY_MS) {
      this.lastPruneMs = nowMs;
      this.store.prune(nowMs, this.opts.metricsRetentionH * 3_600_000, this.opts.auditRetentionDays * 86_400_000);
      for (const { fleet, dropped } of this.store.events.cap(this.opts.eventsMaxPerFleet))
        log("events capped", { region, fleet, dropped, max: this.opts.eventsMaxPerFleet });
      // Links without a socket, silent past a few resend windows, cannot come back with a batch we applied.
      const cutoff = nowMs - linkForgetMs(this.opts.resendMaxMs);
      this.store.forgetLinksBefore(cutoff);
      this.ledger.forgetIdle(cutoff, openLinks());
    }
    if (nowMs - this.lastReportMs >= DIRECTORY_REPORT_MS && now.drones > 0) {
      this.lastReportMs = nowMs;
      try {
        const dir = this.directory.get(this.directory.idFromName("directory"));
        const report: RegionReport = { region, ...now };
        await dir.fetch(new Request("https://directory/report", { method: "POST", body: JSON.stringify(report) }));
      } catch (e) {
        log("directory report failed", { region, error: String(e) }, "error");
      }
    }
  }
}
