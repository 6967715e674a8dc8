/**
 * The hostile-bytes oracle: runs generated cases through the gateway's per-socket pipeline
 * (SessionCore, src/ingest/session-core.ts) on a drone socket, a relay socket and a long-lived relay
 * whose stream state builds up, and holds every answer to the rules (reply-check.ts) and every case to
 * its expectation (expectations.ts). A socket that closes is drained, its books checked (every
 * accepted point reached exactly one home batch) and replaced, as a reconnecting client would.
 */
import { DEFAULTS, type Options } from "../config.js";
import { SessionCore, type SessionOutput } from "../ingest/session-core.js";
import { COUNTER_INDEX } from "../wire/counters.js";
import { StreamEncoder } from "../wire/telemetry-stream.js";
import { caseDraw, int } from "./draw.js";
import { type Outcome, outcomeLabel, unmet } from "./expectations.js";
import { type HostileCase, hostileCase } from "./hostile-cases.js";
import { batchProblems, readReplies } from "./reply-check.js";
import type { LaneView } from "./valid-frames.js";
import { type FuzzReport, FuzzTally } from "./fuzz-tally.js";

export type { FuzzReport, Violation } from "./fuzz-tally.js";

export interface FuzzOptions {
  cases: number;
  seed: number;
  /** Gateway options; the defaults otherwise. */
  opts?: Options;
  /** A real zstd encoder (Node); without one, zstd cases use hand-built frames. */
  compress?: (bytes: Uint8Array) => Uint8Array;
  /** A clock for per-case timing (performance.now); without one no time is measured. */
  clock?: () => number;
  /** A case slower than this many ms is a violation (a stall). Default: no limit. */
  stallMs?: number;
  /** Only these kinds (KIND_NAMES). */
  only?: readonly string[];
  /** Called as each case starts, with its index (a watchdog's heartbeat). */
  onCaseStart?: (index: number) => void;
}

/** The start of the simulated clock: any fixed Unix time; the cases' points are measured around it. */
const T0 = 1_795_000_000_000;
/** Somewhere over Lyon, inside one geohash-4 cell and its neighbours. */
const CENTER = { lat: 45.76, lon: 4.84 };

interface Lane {
  view: LaneView;
  opts: Options;
  core: SessionCore;
  /** Home points this session's batches carried, and their "accepted" counters. */
  homePoints: number;
  acceptedCounted: number;
}

function newLane(role: "drone" | "relay", sub: string, opts: Options, nowMs: number): Lane {
  const core = new SessionCore({ role, sub, fleet: "fuzz" }, opts, nowMs);
  // No more drones than a valid stream frame may name.
  const relayDrones = role === "relay" ? Array.from({ length: Math.min(50, core.streamTable) }, (_, i) => `${sub}-d${i}`) : [];
  const table = core.streamTable;
  const view: LaneView = {
    role,
    sub,
    relayDrones,
    streamTable: table,
    maxPoints: opts.maxPointsPerFrame,
    stream: new StreamEncoder(table),
    streamInSync: true,
    center: CENTER,
  };
  return { view, opts, core, homePoints: 0, acceptedCounted: 0 };
}

/** Runs `o.cases` cases; never throws for what a case does (a throw is a violation in the report). */
export function runFuzz(o: FuzzOptions): FuzzReport {
  // The cases' points are drawn independently, not flown: the jump check (a track's plausibility) is off.
  const base = { ...(o.opts ?? DEFAULTS), jumpCheckMps: 1e9 };
  const specs: [role: "drone" | "relay", sub: string, opts: Options][] = [
    ["drone", "fuzz-drone", base],
    ["relay", "fuzz-relay", base],
    // Never closed for bad frames: its stream table and limiter state live through thousands of cases.
    ["relay", "fuzz-relay-long", { ...base, badFrameLimit: 1_000_000 }],
  ];
  let now = T0;
  const lanes = specs.map(([role, sub, opts]) => newLane(role, sub, opts, now));
  const tally = new FuzzTally(o.seed);

  const keep = (lane: Lane, out: SessionOutput, index: number, c: HostileCase | null) => {
    for (const b of out.batches) {
      for (const p of batchProblems(b, { opts: lane.opts, ownDroneId: lane.core.ownDroneId, nowMs: now })) tally.violation(index, c, p);
      for (let i = 0; i < b.ghost.length; i++) if (b.ghost[i] === 0) lane.homePoints++;
      lane.acceptedCounted += b.counters[COUNTER_INDEX.accepted]!;
    }
  };
  /** The socket is gone: flush it, check its books, open a new one. */
  const retire = (k: number, index: number, c: HostileCase | null) => {
    const lane = lanes[k]!;
    try {
      keep(lane, lane.core.drain(), index, c);
    } catch (e) {
      tally.violation(index, c, `drain threw ${(e as Error)?.stack ?? String(e)}`);
    }
    const t = lane.core.totals;
    if (lane.homePoints !== t.pointsAccepted || lane.acceptedCounted !== t.pointsAccepted)
      tally.violation(index, c, `session books: ${t.pointsAccepted} accepted, ${lane.homePoints} in home batches, ${lane.acceptedCounted} counted`);
    tally.sessions++;
    const [role, sub, opts] = specs[k]!;
    lanes[k] = newLane(role, sub, opts, now);
  };

  for (let i = 0; i < o.cases; i++) {
    o.onCaseStart?.(i);
    const d = caseDraw(o.seed ^ 0x5bd1e995, i);
    now += 1 + int(d, 0, 120);
    const k = int(d, 0, lanes.length - 1);
    const lane = lanes[k]!;
    keep(lane, lane.core.onTimer(now), i, null);
    const c = hostileCase(
      o.seed,
      i,
      { nowMs: now, lane: lane.view, maxFrameBytes: lane.opts.maxFrameBytes, maxPointsPerFrame: lane.opts.maxPointsPerFrame, compress: o.compress },
      o.only,
    );
    const t = lane.core.totals;
    const before = {
      accepted: t.pointsAccepted,
      rejected: t.pointsRejected,
      rateLimited: t.pointsRateLimited,
      deduped: t.pointsDeduped,
      limited: t.framesLimited,
    };
    const t0 = o.clock?.() ?? 0;
    let out: SessionOutput;
    try {
      out = lane.core.onFrame(c.data, now);
    } catch (e) {
      tally.violation(i, c, `threw ${(e as Error)?.stack ?? String(e)}`);
      tally.count(c.kind, "threw", 0);
      retire(k, i, c);
      continue;
    }
    const ms = o.clock ? o.clock() - t0 : 0;
    if (o.stallMs !== undefined && ms > o.stallMs) tally.violation(i, c, `stall: ${ms.toFixed(0)} ms for one frame`);
    const replies = readReplies(out);
    for (const p of replies.problems) tally.violation(i, c, p);
    keep(lane, out, i, c);
    if (t.pointsReceived !== t.pointsAccepted + t.pointsRejected + t.pointsRateLimited + t.pointsDeduped)
      tally.violation(i, c, "points received ≠ accepted + rejected + rate-limited + deduped");
    const outcome: Outcome = {
      errors: replies.errors,
      close: out.close?.code ?? null,
      pong: replies.pong,
      accepted: t.pointsAccepted - before.accepted,
      rejected: t.pointsRejected - before.rejected,
      rateLimited: t.pointsRateLimited - before.rateLimited,
      deduped: t.pointsDeduped - before.deduped,
      limitedUnread: t.framesLimited > before.limited,
    };
    const why = unmet(c.expect, outcome);
    if (why) tally.violation(i, c, `${why}; got ${outcomeLabel(outcome)} (${outcome.errors.length} error frame(s))`);
    tally.count(c.kind, outcomeLabel(outcome), ms, i, c.detail);
    if (out.close) {
      const after = lane.core.onFrame(new Uint8Array([0x12, 0x00]), now);
      if (after.toClient.length + after.batches.length > 0 || after.close) tally.violation(i, c, "a closed session still answered");
      retire(k, i, c);
    } else if (c.stream) {
      c.stream.commit();
      lane.view.stream = c.stream;
      lane.view.streamInSync = true;
    } else if (!c.keepsStream) lane.view.streamInSync = false;
  }
  for (let k = 0; k < lanes.length; k++) retire(k, o.cases, null);
  tally.cases = o.cases;
  return tally.report();
}
