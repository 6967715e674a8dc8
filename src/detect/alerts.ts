/**
 * Alert lifecycle per pair ("encounter"): start, escalate, refresh at most once per second, clear. Pure
 * bookkeeping on predictions the caller makes; region-core.ts turns transitions into messages to the
 * home drones of the pair.
 */
import type { ConflictLevel, Prediction } from "./conflicts.js";
import type { ManoeuvreName } from "./advisories.js";
import type { OpenEncounter } from "./region-outputs.js";
import { ALERT_REFRESH_MS, ALERT_CLEAR_HOLD_MS } from "../tunables.js";

/** "lost": one drone of the pair stopped reporting; its partner is told, and the encounter stays open. */
export type Transition = "start" | "escalate" | "refresh" | "clear" | "lost";

/** One encounter of one pair, keyed by its two slots (lo < hi). */
export interface Encounter {
  readonly key: number;
  readonly slotLo: number;
  readonly slotHi: number;
  readonly idLo: string;
  readonly idHi: string;
  /** Stable for the encounter, the same on both drones' alerts, unique across restarts (caller's prefix). */
  readonly alertId: string;
  /** Level last sent. */
  level: ConflictLevel;
  manLo: ManoeuvreName | "none";
  manHi: ManoeuvreName | "none";
  startedMs: number;
  lastSentMs: number;
  /** Wall clock of the first clear prediction since the last conflicting one; NaN while conflicting. */
  clearSinceMs: number;
  /** Since when one drone has not been usable (older than the stale limit); NaN while both report. */
  lostSinceMs: number;
  /** Which sides were sent an alert (a clear goes to those only). */
  sentLo: boolean;
  sentHi: boolean;
  /** The latest prediction's numbers (kept for refreshes and the final clear). */
  tEntryS: number;
  tCpaS: number;
  hsepCpaM: number;
  vsepCpaM: number;
  computedForMs: number;
  /** Gateway receive time of the report whose evaluation started it (0 when unknown, e.g. restored): edge-side latency. */
  edgeReceivedMs: number;
}

const RANK: Record<ConflictLevel, number> = { caution: 1, warning: 2 };
/** Slots are < 2^26 (fleet capacity); two fit exactly in a double. */
const SLOT_SPAN = 2 ** 26;

export function pairKey(a: number, b: number): number {
  return a < b ? a * SLOT_SPAN + b : b * SLOT_SPAN + a;
}

export class AlertBook {
  private readonly byKey = new Map<number, Encounter>();
  /** Encounters per slot; undefined for the (vast) majority of drones with none. */
  private readonly bySlot: (Encounter[] | undefined)[] = [];
  private seq = 0;
  /** Encounters started and cleared since construction, and as of the last takeCounts. */
  started = 0;
  cleared = 0;
  private counted = { started: 0, cleared: 0 };

  constructor(private readonly idPrefix: string) {}

  /** Encounters started and cleared since the last call: the metrics window's figures. */
  takeCounts(): { started: number; cleared: number } {
    const d = { started: this.started - this.counted.started, cleared: this.cleared - this.counted.cleared };
    this.counted = { started: this.started, cleared: this.cleared };
    return d;
  }

  /** The open encounters with their latest prediction (the ops view's conflict lines). */
  open(): OpenEncounter[] {
    const res: OpenEncounter[] = [];
    for (const e of this.byKey.values()) {
      const { alertId, idLo: a, idHi: b, level, tEntryS, tCpaS, hsepCpaM, vsepCpaM, computedForMs } = e;
      res.push({ alertId, a, b, level, tEntryS, tCpaS, hsepCpaM, vsepCpaM, computedForMs });
    }
    return res;
  }

  get size(): number {
    return this.byKey.size;
  }

  get(a: number, b: number): Encounter | undefined {
    return this.byKey.get(pairKey(a, b));
  }

  /** The slot's encounters (a live array: copy before ending encounters while iterating). */
  of(slot: number): readonly Encounter[] | undefined {
    const l = this.bySlot[slot];
    return l && l.length > 0 ? l : undefined;
  }

  all(): IterableIterator<Encounter> {
    return this.byKey.values();
  }

  /**
   * Re-opens an encounter that was alerted before a restart, under its original id, so it continues
   * (refresh, escalation) or ends with a clear under that id instead of being forgotten.
   */
  adopt(
    a: number,
    idA: string,
    b: number,
    idB: string,
    alertId: string,
    level: ConflictLevel,
    sent: { a: ManoeuvreName | "none" | null; b: ManoeuvreName | "none" | null },
    nowMs: number,
  ): Encounter {
    const key = pairKey(a, b);
    const existing = this.byKey.get(key);
    if (existing) return existing;
    const lo = a < b;
    const e: Encounter = {
      key,
      slotLo: lo ? a : b,
      slotHi: lo ? b : a,
      idLo: lo ? idA : idB,
      idHi: lo ? idB : idA,
      alertId,
      level,
      manLo: (lo ? sent.a : sent.b) ?? "none",
      manHi: (lo ? sent.b : sent.a) ?? "none",
      startedMs: nowMs,
      // Due at once: the restart lost what the old object sent last (held frames, a refresh in
      // flight), so the first prediction re-sends it instead of waiting out a refresh period.
      lastSentMs: Number.NEGATIVE_INFINITY,
      clearSinceMs: NaN,
      lostSinceMs: NaN,
      sentLo: (lo ? sent.a : sent.b) !== null,
      sentHi: (lo ? sent.b : sent.a) !== null,
      tEntryS: 0,
      tCpaS: 0,
      hsepCpaM: 0,
      vsepCpaM: 0,
      computedForMs: 0,
      edgeReceivedMs: 0,
    };
    this.byKey.set(key, e);
    this.link(e.slotLo, e);
    this.link(e.slotHi, e);
    return e;
  }

  /**
   * Feeds one prediction for pair (a, b) at wall clock `nowMs`; returns what must be sent, if anything.
   * A "start" returns a new encounter whose manoeuvres the caller fills in.
   */
  observe(a: number, idA: string, b: number, idB: string, pr: Prediction, nowMs: number): { t: Transition; e: Encounter } | null {
    const key = pairKey(a, b);
    let e = this.byKey.get(key);
    // Both drones report again after one was lost: the encounter resumes (its level re-sent at once).
    const back = e !== undefined && !Number.isNaN(e.lostSinceMs);
    if (back) e!.lostSinceMs = NaN;
    if (!pr.conflict) {
      if (!e) return null;
      if (Number.isNaN(e.clearSinceMs)) e.clearSinceMs = nowMs;
      if (nowMs - e.clearSinceMs < ALERT_CLEAR_HOLD_MS) return null;
      record(e, pr);
      this.end(e);
      return { t: "clear", e };
    }
    const level = pr.level!;
    if (!e) {
      const lo = a < b;
      e = {
        key,
        slotLo: lo ? a : b,
        slotHi: lo ? b : a,
        idLo: lo ? idA : idB,
        idHi: lo ? idB : idA,
        alertId: `${this.idPrefix}-${(this.seq++).toString(36)}`,
        level,
        manLo: "none",
        manHi: "none",
        startedMs: nowMs,
        lastSentMs: nowMs,
        clearSinceMs: NaN,
        lostSinceMs: NaN,
        sentLo: false,
        sentHi: false,
        tEntryS: 0,
        tCpaS: 0,
        hsepCpaM: 0,
        vsepCpaM: 0,
        computedForMs: 0,
        edgeReceivedMs: 0,
      };
      record(e, pr);
      this.byKey.set(key, e);
      this.link(e.slotLo, e);
      this.link(e.slotHi, e);
      this.started++;
      return { t: "start", e };
    }
    e.clearSinceMs = NaN;
    record(e, pr);
    if (back || RANK[level] > RANK[e.level]) {
      e.level = level;
      e.lastSentMs = nowMs;
      return { t: "escalate", e };
    }
    if (nowMs - e.lastSentMs >= ALERT_REFRESH_MS) {
      e.level = level; // a de-escalation rides on the next refresh
      e.lastSentMs = nowMs;
      return { t: "refresh", e };
    }
    return null;
  }

  /**
   * One drone of the encounter is no longer usable: true the first time (its partner is to be told the
   * traffic was lost), false while it stays lost. The encounter is not ended: only a clear prediction
   * once both report again, or the lost drone's eviction, ends it.
   */
  markLost(e: Encounter, nowMs: number): boolean {
    if (!Number.isNaN(e.lostSinceMs)) return false;
    e.lostSinceMs = nowMs;
    e.lastSentMs = nowMs;
    return true;
  }

  /** Encounters whose clear hold has run out by `nowMs` (checked once per tick for pairs no longer evaluated). */
  dueClears(nowMs: number): Encounter[] {
    const due: Encounter[] = [];
    for (const e of this.byKey.values()) if (nowMs - e.clearSinceMs >= ALERT_CLEAR_HOLD_MS) due.push(e);
    return due;
  }

  /** Ends an encounter now (clear hold done, stale, lost or evicted side). The caller sends the clear. */
  end(e: Encounter): void {
    if (this.byKey.get(e.key) !== e) return;
    this.byKey.delete(e.key);
    this.unlink(e.slotLo, e);
    this.unlink(e.slotHi, e);
    this.cleared++;
  }

  /** Active encounters by level last sent. */
  countByLevel(): { caution: number; warning: number } {
    let caution = 0;
    let warning = 0;
    for (const e of this.byKey.values())
      if (e.level === "warning") warning++;
      else caution++;
    return { caution, warning };
  }

  private link(slot: number, e: Encounter): void {
    const l = this.bySlot[slot];
    if (l) l.push(e);
    else this.bySlot[slot] = [e];
  }

  private unlink(slot: number, e: Encounter): void {
    const l = this.bySlot[slot];
    if (!l) return;
    const i = l.indexOf(e);
    if (i >= 0) l.splice(i, 1);
    if (l.length === 0) this.bySlot[slot] = undefined;
  }
}

function record(e: Encounter, pr: Prediction): void {
  if (!pr.conflict && !Number.isFinite(pr.hsepCpaM)) return;
  e.tEntryS = pr.conflict ? pr.tEntryS : NaN;
  e.tCpaS = pr.tCpaS;
  e.hsepCpaM = pr.hsepCpaM;
  e.vsepCpaM = pr.vsepCpaM;
  e.computedForMs = pr.computedForMs;
}
