/**
 * How the region object applies its gateway links' batches: each exactly once under its own link
 * (LinkLedger), whether it came on the link's own socket, inside an ingest hub's bundle, or from the
 * journal after a restart. A hub's bundle is one unit: its batches applied in order, each batch's
 * outputs routed as soon as it made any (an alert leaves in the turn that made it), then the journal
 * rows of the whole bundle written in one transaction, and only then its acks, one message per hub
 * (docs/reliability.md §1). Per-batch work is what a region fed by single-drone links spends its time
 * on (docs/scaling.md), so the per-bundle work is done once per bundle.
 */
import type { RegionCore } from "../detect/region-core.js";
import type { LedgerBatch, LinkLedger } from "../link/link-ledger.js";
import { log } from "../log.js";
import { BatchFormatError, type BatchSlice, batchTraceparentAt, decodeBatchAt, sliceBytes, sliceOf } from "../wire/batch-codec.js";
import { CloseCode } from "../wire/close-codes.js";
import type { Bundle } from "../wire/hub-protocol.js";
import { writeOrRestart } from "./durable-write.js";
import type { HubDoor } from "./hub-door.js";
import type { LinkOutbox } from "./link-outbox.js";
import type { OutputRouter } from "./output-router.js";
import type { RegionSpans } from "./region-spans.js";
import type { RegionStore } from "./region-store.js";
import type { TickClock } from "./tick-clock.js";

/** What the intake applies batches to, once the object knows its cell. */
export interface IntakeRegion {
  key: string;
  core: RegionCore;
  router: OutputRouter;
  spans: RegionSpans | null;
}

/** The object's counters this intake keeps. */
export interface IntakeStats {
  batches: number;
  duplicateBatches: number;
  badBatches: number;
  failedBatches: number;
  points: number;
}

export interface IntakeDeps {
  ctx: DurableObjectState;
  store: RegionStore;
  ledger: LinkLedger;
  outbox: LinkOutbox;
  hubs: HubDoor;
  clock: TickClock;
  stats: IntakeStats;
}

/** What the live batches of one message leave to do once they are applied: journal rows, then acks. */
interface Turn {
  batches: number;
  points: number;
  journal: LedgerBatch[];
  acks: [string, number][];
  /**
   * A hub's bundle: its batches' waits count from its newest batch's flush, about when the bundle left
   * the hub. The hub's window is a wait on purpose, not a sign that this object falls behind (counted
   * from each batch's own flush, a calm region behind hubs never got under SHED_DOWN_MS again).
   */
  bundled: boolean;
  newestSentMs: number;
  waits: number;
}

export class BatchIntake {
  /** The batch being applied, and its bytes for the journal (cut out only when the ledger keeps them). */
  private slice: BatchSlice | null = null;
  private readonly journalBytes = () => sliceBytes(this.slice!);

  constructor(
    private readonly d: IntakeDeps,
    private readonly region: IntakeRegion,
  ) {}

  /** A batch of `linkId` on its own socket `ws`; false when `ws` had to be closed. */
  direct(ws: WebSocket, linkId: string, bytes: Uint8Array): boolean {
    const now = Date.now();
    const turn = newTurn();
    try {
      return this.live(ws, linkId, sliceOf(bytes), now, turn);
    } finally {
      this.finish(turn, now);
    }
  }

  /** The batches of a bundle from hub socket `ws`, in order; stops at one that fails (the hub's socket is then closed). */
  bundle(ws: WebSocket, hub: string, bundle: Bundle): void {
    const now = Date.now();
    const turn = newTurn();
    turn.bundled = true;
    // One slice re-pointed at each batch in turn: no view or object per batch.
    const slice: BatchSlice = { bytes: bundle.bytes, view: bundle.view, start: 0, end: 0 };
    try {
      for (let i = 0; i < bundle.linkIds.length; i++) {
        const linkId = bundle.linkIds[i]!;
        slice.start = bundle.starts[i]!;
        slice.end = bundle.ends[i]!;
        this.d.outbox.bundled(linkId, hub, now);
        if (!this.live(ws, linkId, slice, now, turn)) return;
      }
    } finally {
      this.finish(turn, now);
    }
  }

  /** A journal row re-applied after a restart (durable already: not journaled, acked or counted again); false when applied before. */
  replay(linkId: string, bytes: Uint8Array, now: number): boolean {
    return this.apply(linkId, sliceOf(bytes), now, null);
  }

  private live(ws: WebSocket, linkId: string, slice: BatchSlice, now: number, turn: Turn): boolean {
    const { stats } = this.d;
    try {
      if (!this.apply(linkId, slice, now, turn)) stats.duplicateBatches++;
      return true;
    } catch (e) {
      // Not applied, not recorded, not acked (the core applies a batch whole or not at all): the socket
      // closes, and the gateway reconnects and resends it. A batch that cannot be read says so.
      const unreadable = e instanceof BatchFormatError;
      stats[unreadable ? "badBatches" : "failedBatches"]++;
      log(unreadable ? "bad batch" : "batch failed", { region: this.region.key, linkId, error: String(e) }, "error");
      ws.close(unreadable ? CloseCode.PROTOCOL : CloseCode.INTERNAL, unreadable ? "bad batch" : "batch not applied");
      return false;
    }
  }

  /** Applies one batch of a link exactly once; false when it was applied before. `turn`: null for the journal. */
  private apply(linkId: string, slice: BatchSlice, now: number, turn: Turn | null): boolean {
    const { core, router, spans } = this.region;
    const { ledger } = this.d;
    const batch = decodeBatchAt(slice, spans !== null);
    if (!ledger.isNew(linkId, batch.seq)) return false;
    const live = turn !== null;
    const n = batch.points.length;
    const span = live && spans !== null ? spans.apply(batch.traceparent, linkId, batch.seq, n) : null;
    // The journal's re-application after a restart is not edge latency, and its samples were counted before.
    core.applyPoints(linkId, batch.points, batch.ghost, batch.counters, now, live ? batch.receivedMs : undefined);
    if (live && batch.alertLatencyMs) core.metrics.recordAlertLatencies(batch.alertLatencyMs);
    // Recorded once applied: a batch that failed half-way is neither recorded nor acked.
    this.slice = slice;
    const next = ledger.applied(linkId, batch.seq, live ? this.journalBytes : null, now);
    this.slice = null; // not to hold the message past its turn
    if (turn !== null) {
      // A resend's wait says how long its link was away, not how far behind this object is.
      if (!batch.resent && !turn.bundled) core.metrics.overload.record(now - batch.sentAtMs);
      else if (!batch.resent) {
        turn.waits++;
        if (batch.sentAtMs > turn.newestSentMs) turn.newestSentMs = batch.sentAtMs;
      }
      turn.batches++;
      turn.points += n;
      this.d.hubs.applied(linkId, n);
      if (next) {
        for (const j of next.journal) turn.journal.push(j);
        turn.acks.push([linkId, next.ackSeq]);
      }
    }
    const outputs = core.drain();
    // Routed before the next batch is applied: what this one raised leaves in this turn. Its trace
    // context is read only when there are outputs to tie to it.
    if (outputs.length > 0 || span !== null) router.route(outputs, spans !== null ? batch.traceparent : batchTraceparentAt(slice), now, span);
    if (span !== null) spans!.finish(span, outputs);
    return true;
  }

  private finish(turn: Turn, now: number): void {
    if (turn.batches === 0) return;
    const { stats, ctx, store, outbox } = this.d;
    for (let i = 0; i < turn.waits; i++) this.region.core.metrics.overload.record(now - turn.newestSentMs);
    stats.batches += turn.batches;
    stats.points += turn.points;
    this.d.clock.ensure(now);
    // Journal rows first: the output gate holds the acks until they are stored, so an ack means
    // "applied and durable", and a restart re-applies the journal.
    if (turn.journal.length > 0) writeOrRestart(ctx, "journal", this.region.key, () => store.journal(turn.journal));
    if (turn.acks.length > 0) outbox.acks(turn.acks);
  }
}

function newTurn(): Turn {
  return { batches: 0, points: 0, journal: [], acks: [], bundled: false, newestSentMs: -Infinity, waits: 0 };
}
