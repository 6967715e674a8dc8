/**
 * A region object coming back (restart, eviction, deploy): its state in the order that makes it
 * whole. The last checkpoint's drones, then the encounters alerted in the last minute and never
 * cleared (they go on under their ids, so no drone holds an alert nobody will clear), then each link's
 * sequence, and last the journal: batches acked after that checkpoint, applied again in order.
 */
import type { RegionCore } from "../detect/region-core.js";
import type { LinkLedger } from "../link/link-ledger.js";
import { log } from "../log.js";
import { RESTORE_ALERTS_MS } from "../tunables.js";
import type { JournalEntry, RegionStore } from "./region-store.js";

/** `reapply` applies one journaled batch (false: it was applied already). Returns how many were. */
export function restoreRegion(
  core: RegionCore,
  store: RegionStore,
  ledger: LinkLedger,
  evictAfterMs: number,
  nowMs: number,
  reapply: (j: JournalEntry) => boolean,
): number {
  store.forgetDronesBefore(nowMs - evictAfterMs);
  core.space.restore(store.loadDrones(), nowMs, evictAfterMs);
  core.restoreAlerts(store.openAlerts(nowMs - RESTORE_ALERTS_MS), nowMs);
  for (const [link, seq] of store.loadLinkSeqs()) ledger.restore(link, seq, nowMs);
  let reapplied = 0;
  for (const j of store.loadJournal()) {
    try {
      if (reapply(j)) reapplied++;
    } catch (e) {
      // A row this version cannot read must not keep the region from starting; the gateway's resend
      // and the drones' next reports refill what it held.
      log("journal row skipped", { region: core.regionKey, linkId: j.linkId, seq: j.seq, error: String(e) }, "error");
    }
  }
  return reapplied;
}
