/**
 * A region's exactly-once ledger of its gateway links, pure: which batches each link has applied
 * (LinkSequence: reordering and resends tolerated), which links changed since the last checkpoint,
 * which batches must be journaled before an ack between checkpoints (AckPolicy), and which acks are
 * due. An ack always means "applied and durable": a link is acked either after its journal rows are
 * written, or with the floor its last checkpoint stored. The region object writes what this returns
 * and sends the acks (src/region/region-object.ts); the rules are tested here, in Node.
 */
import { AckPolicy, type AckState } from "./ack-policy.js";
import { LinkSequence, type LinkSequenceState } from "./link-sequence.js";
import { LINK_FORGET_MS, LINK_FORGET_RESENDS } from "../tunables.js";

/** How long a link with no socket is remembered after its last batch (see LINK_FORGET_MS). */
export function linkForgetMs(resendMaxMs: number): number {
  return Math.max(LINK_FORGET_MS, LINK_FORGET_RESENDS * resendMaxMs);
}

/** One applied batch kept for the journal (its bytes are re-applied after a restart). */
export interface LedgerBatch {
  linkId: string;
  seq: number;
  bytes: Uint8Array;
}

/** What to do after a live batch was applied: write `journal` (when not empty), then ack `ackSeq`; or nothing. */
export type AfterApply = { journal: LedgerBatch[]; ackSeq: number } | null;

/** What the ledger knows of one link: one record, so a batch costs one lookup, not one per concern. */
interface LinkRecord {
  seq: LinkSequence;
  seenMs: number;
  /**
   * The highest sequence with every batch up to it applied *and durable* (checkpointed, or journaled
   * before an ack): what `hello` may tell a reconnecting gateway to forget. The in-memory floor runs
   * ahead of it between checkpoints for a quiet link, whose batches are not journaled.
   */
  durable: number;
  /** The checkpointed floor not yet acked (-1: none): it rides out with the link's next batch, or the next tick. */
  due: number;
  /** Its sequences changed since the last checkpoint (it is in `dirty`). */
  dirty: boolean;
  /** When it is acked between checkpoints (AckPolicy). */
  ack: AckState;
}

export class LinkLedger {
  private readonly links = new Map<string, LinkRecord>();
  /** Links whose sequences changed since the last checkpoint, in order. */
  private dirty: string[] = [];
  /** Batches of links acked between checkpoints, applied since the last journal write or checkpoint. */
  private unjournaled: LedgerBatch[] = [];
  private readonly acks: AckPolicy;

  constructor(
    ackEveryBatches: number,
    ackEveryMs: number,
    /** A gap older than this is closed: its batch was given up upstream (twice the resend window). */
    private readonly gapTimeoutMs: number,
  ) {
    this.acks = new AckPolicy(ackEveryBatches, ackEveryMs);
  }

  /** A link's sequences as the last checkpoint stored them (after a restart). */
  restore(linkId: string, state: LinkSequenceState, nowMs: number): void {
    // Its gateway gets the whole forget window to reconnect.
    this.links.set(linkId, { seq: new LinkSequence(state), seenMs: nowMs, durable: state.floor, due: -1, dirty: false, ack: this.acks.newState(nowMs) });
  }

  /**
   * Every batch up to this one of the link is applied and durable: what `hello` tells a reconnecting
   * gateway, which then drops them from its resend buffer. Only durable ones: if this object died
   * before its next checkpoint, a batch applied in memory alone would be lost, uncounted.
   */
  floor(linkId: string): number {
    return this.links.get(linkId)?.durable ?? 0;
  }

  /** False when batch `seq` of the link was applied before (a resend or a duplicate: drop it). */
  isNew(linkId: string, seq: number): boolean {
    return !this.links.get(linkId)?.seq.seen(seq);
  }

  /**
   * Batch `seq` of the link has been applied (call after applying it, so a batch that failed half-way
   * is not recorded, and not acked). `bytes` gives the batch's bytes, asked for only when the link may be
   * acked early and the journal must keep them (a one-point batch inside a bundle is not cut out of it
   * otherwise); null for the journal re-applied after a restart (already durable). Returns what to write
   * and ack now.
   */
  applied(linkId: string, seq: number, bytes: (() => Uint8Array) | null, nowMs: number): AfterApply {
    let l = this.links.get(linkId);
    if (!l) {
      l = { seq: new LinkSequence(), seenMs: nowMs, durable: 0, due: -1, dirty: false, ack: this.acks.newState(nowMs) };
      this.links.set(linkId, l);
    }
    const s = l.seq;
    s.applied(seq, nowMs);
    l.seenMs = nowMs;
    this.markDirty(linkId, l);
    if (!bytes) {
      // A journal row re-applied after a restart is durable already, and so is all below it.
      l.durable = s.floor;
      return null;
    }
    if (this.acks.keeps(l.ack)) this.unjournaled.push({ linkId, seq, bytes: bytes() });
    // A busy link is acked between checkpoints, once its batches are journaled; a quiet one gets the
    // floor its last checkpoint stored, with this batch's turn.
    if (this.acks.applied(l.ack, nowMs)) {
      const journal = this.unjournaled;
      this.unjournaled = [];
      this.acked(l, nowMs);
      // The shell writes the journal before anything else leaves (the ack, a later hello).
      l.durable = s.floor;
      return { journal, ackSeq: s.floor };
    }
    const due = l.due;
    if (due < 0) return null;
    this.acked(l, nowMs);
    return { journal: [], ackSeq: due };
  }

  /**
   * A checkpoint: the sequences of the links that changed, to store with the drones in one
   * transaction (it covers the journal, which starts over), and the acks still due from the last one,
   * to send now. What this checkpoint makes durable is acked with each link's next batch, or at the next.
   */
  checkpoint(nowMs: number): { links: [string, LinkSequenceState][]; ackNow: [string, number][] } {
    const ackNow: [string, number][] = [];
    for (const [linkId, l] of this.links) {
      // A gap the gateway can no longer fill must not hold acks forever.
      if (l.seq.expireGap(nowMs, this.gapTimeoutMs) > 0) this.markDirty(linkId, l);
      if (l.due >= 0) {
        ackNow.push([linkId, l.due]);
        this.acked(l, nowMs);
      }
      this.acks.tick(l.ack);
    }
    const links: [string, LinkSequenceState][] = [];
    for (const linkId of this.dirty) {
      const l = this.links.get(linkId);
      if (!l?.dirty) continue; // forgotten since
      l.dirty = false;
      const state = l.seq.state();
      links.push([linkId, state]);
      l.due = state.floor;
      l.durable = state.floor; // stored by the shell in this turn, before any hello leaves
    }
    this.dirty = [];
    this.unjournaled = [];
    return { links, ackNow };
  }

  private markDirty(linkId: string, l: LinkRecord): void {
    if (l.dirty) return;
    l.dirty = true;
    this.dirty.push(linkId);
  }

  private acked(l: LinkRecord, nowMs: number): void {
    l.due = -1;
    this.acks.acked(l.ack, nowMs);
  }

  /** Links remembered. */
  get size(): number {
    return this.links.size;
  }

  /** Forgets links without a socket (`open` lists those with one) not heard from since `cutoffMs`. */
  forgetIdle(cutoffMs: number, open: ReadonlySet<string>): void {
    for (const [linkId, l] of this.links) {
      if (open.has(linkId) || l.seenMs >= cutoffMs) continue;
      this.links.delete(linkId); // a checkpoint must not look for it: it skips a dirty link no longer here
    }
  }
}
