/**
 * What a fuzz run found: cases and outcomes by kind, the slowest case of each kind, and every
 * violation with what it takes to reproduce it (seed, case index, kind, the bytes' start).
 */
import type { HostileCase } from "./hostile-cases.js";

export interface Violation {
  index: number;
  kind: string;
  detail: string;
  problem: string;
  /** The message's first bytes in hex (or its text), for a bug report. */
  head: string;
}

export interface FuzzReport {
  seed: number;
  cases: number;
  /** Sockets opened, including those replaced after a close. */
  sessions: number;
  /** Kind → outcome label → cases. */
  byKind: Record<string, Record<string, number>>;
  /** Kind → its slowest case (0 without a clock). */
  slowest: Record<string, { ms: number; index: number; detail: string }>;
  violations: Violation[];
  /** Violations beyond those kept. */
  moreViolations: number;
}

/** Violations kept in full; the rest are only counted. */
const KEEP = 50;

function headOf(data: Uint8Array | string): string {
  if (typeof data === "string") return `text ${JSON.stringify(data.slice(0, 32))}`;
  const hex = Array.from(data.subarray(0, 32), (b) => b.toString(16).padStart(2, "0")).join("");
  return `${data.length} bytes ${hex}${data.length > 32 ? "…" : ""}`;
}

export class FuzzTally {
  cases = 0;
  sessions = 0;
  private readonly byKind: Record<string, Record<string, number>> = {};
  private readonly slowest: FuzzReport["slowest"] = {};
  private readonly violations: Violation[] = [];
  private more = 0;

  constructor(readonly seed: number) {}

  count(kind: string, label: string, ms: number, index = -1, detail = ""): void {
    this.byKind[kind] ??= {};
    const row = this.byKind[kind];
    row[label] = (row[label] ?? 0) + 1;
    const s = this.slowest[kind];
    if (!s || ms > s.ms) this.slowest[kind] = { ms, index, detail };
  }

  violation(index: number, c: HostileCase | null, problem: string): void {
    if (this.violations.length >= KEEP) {
      this.more++;
      return;
    }
    this.violations.push({ index, kind: c?.kind ?? "(between cases)", detail: c?.detail ?? "", problem, head: c ? headOf(c.data) : "" });
  }

  report(): FuzzReport {
    return {
      seed: this.seed,
      cases: this.cases,
      sessions: this.sessions,
      byKind: this.byKind,
      slowest: this.slowest,
      violations: this.violations,
      moreViolations: this.more,
    };
  }
}
