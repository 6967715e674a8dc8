/**
 * A region's exactly-once ledger of its gateway links, pure: which batches each link has applied
 * (LinkSequence: reordering and resends tolerated), which links changed since the last checkpoint,
 * which batches must be journaled before an ack between checkpoints (AckPolicy), and which acks are
 * due. An ack always means "applied and durable": a link is acked either after its journal rows are
 * written, or with the floor its last checkpoint stored. The region object writes what this returns
 * and sends the acks (src/region/region-object.ts); the rules are tested here, in Node.
 */
import { AckPolicy } from "./ack-policy.js";
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

export class LinkLedger {
  private readonly seqs = new Map<string, LinkSequence>();
  private readonly seenMs = new Map<string, number>();
  /**
   * Per link, the highest sequence with every batch up to it applied *and durable* (checkpointed, or
   * journaled before an ack): what `hello` may tell a reconnecting gateway to forget. The in-memory
   * floor runs ahead of it between checkpoints for a quiet link, whose batches are not journaled.
   */
  private readonly durable = new Map<string, number>();
  /** Links whose sequences changed since the last checkpoint. */
  private readonly dirty = new Set<string>();
  /** Per link, the checkpointed floor not yet acked: it rides out with the link's next batch, or the next tick. */
  private readonly due = new Map<string, number>();
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
    this.seqs.set(linkId, new LinkSequence(state));
    this.durable.set(linkId, state.floor);
    this.seenMs.set(linkId, nowMs); // its gateway gets the whole forget window to reconnect
  }

  /**
   * Every batch up to this one of the link is applied and durable: what `hello` tells a reconnecting
   * gateway, which then drops them from its resend buffer. Only durable ones: if this object died
   * before its next checkpoint, a batch applied in memory alone would be lost, uncounted.
   */
  floor(linkId: string): number {
    return this.durable.get(linkId) ?? 0;
  }

  /** False when batch `seq` of the link was applied before (a resend or a duplicate: drop it). */
  isNew(linkId: string, seq: number): boolean {
    return !this.seqs.get(linkId)?.seen(seq);
  }

  /**
   * Batch `seq` of the link has been applied (call after applying it, so a batch that failed half-way
   * is not recorded, and not acked). `bytes` are kept for the journal when the link may be acked early;
   * null for the journal re-applied after a restart (already durable). Returns what to write and ack now.
   */
  applied(linkId: string, seq: number, bytes: Uint8Array | null, nowMs: number): AfterApply {
    let s = this.seqs.get(linkId);
    if (!s) {
      s = new LinkSequence();
      this.seqs.set(linkId, s);
    }
    s.applied(seq, nowMs);
    this.seenMs.set(linkId, nowMs);
    this.dirty.add(linkId);
    if (!bytes) {
      // A journal row re-applied after a restart is durable already, and so is all below it.
      this.durable.set(linkId, s.floor);
      return null;
    }
    if (this.acks.keeps(linkId)) this.unjournaled.push({ linkId, seq, bytes });
    // A busy link is acked between checkpoints, once its batches are journaled; a quiet one gets the
    // floor its last checkpoint stored, with this batch's turn.
    if (this.acks.applied(linkId, nowMs)) {
      const journal = this.unjournaled;
      this.unjournaled = [];
      this.acked(linkId, nowMs);
      // The shell writes the journal before anything else leaves (the ack, a later hello).
      this.durable.set(linkId, s.floor);
      return { journal, ackSeq: s.floor };
    }
    const due = this.due.get(linkId);
    if (due === undefined) return null;
    this.acked(linkId, nowMs);
    return { journal: [], ackSeq: due };
  }

  /**
   * A checkpoint: the sequences of the links that changed, to store with the drones in one
   * transaction (it covers the journal, which starts over), and the acks still due from the last one,
   * to send now. What this checkpoint makes durable is acked with each link's next batch, or at the next.
   */
  checkpoint(nowMs: number): { links: [string, LinkSequenceState][]; ackNow: [string, number][] } {
    for (const [linkId, s] of this.seqs) {
      // A gap the gateway can no longer fill must not hold acks forever.
      if (s.expireGap(nowMs, this.gapTimeoutMs) > 0) this.dirty.add(linkId);
    }
    const links = [...this.dirty].map((l) => [l, this.seqs.get(l)!.state()] as [string, LinkSequenceState]);
    this.dirty.clear();
    this.unjournaled = [];
    this.acks.tick();
    const ackNow = [...this.due];
    for (const [linkId] of ackNow) this.acked(linkId, nowMs);
    for (const [linkId, state] of links) {
      this.due.set(linkId, state.floor);
      this.durable.set(linkId, state.floor); // stored by the shell in this turn, before any hello leaves
    }
    return { links, ackNow };
  }

  private acked(linkId: string, nowMs: number): void {
    this.due.delete(linkId);
    this.acks.acked(linkId, nowMs);
  }

  /** Links remembered. */
  get size(): number {
    return this.seqs.size;
  }

  /** Forgets links without a socket (`open` lists those with one) not heard from since `cutoffMs`. */
  forgetIdle(cutoffMs: number, open: ReadonlySet<string>): void {
    for (const linkId of this.seqs.keys()) {
      if (open.has(linkId) || (this.seenMs.get(linkId) ?? 0) >= cutoffMs) continue;
      this.seqs.delete(linkId);
      this.seenMs.delete(linkId);
      this.durable.delete(linkId);
      this.due.delete(linkId);
      this.dirty.delete(linkId); // a checkpoint must not look for it
      this.acks.forget(linkId);
    }
  }
}
