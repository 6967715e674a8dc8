/**
 * A cheap look at a ClientFrame's bytes before anything is decoded: which kind it is and how many
 * points it would make, so the gateway can charge the points before building them and refuse a frame
 * over MAX_POINTS_PER_FRAME without reading it (issue 11: a 5-byte stream frame declared 4,096 points,
 * 1 MiB of empty Points cost ~180 ms to decode). One pass over tags and lengths, nothing allocated;
 * unknown fields are stepped over, as the decoder then drops them (readUnknownFields: false).
 */

/** ClientFrame.kind field numbers (proto/airspace/v1/airspace.proto). */
export const KIND_TELEMETRY = 1;
export const KIND_PING = 2;
export const KIND_COLUMNS = 3;
export const KIND_STREAM = 4;
export const KIND_RENEW = 5;

/** A refused frame keeps its kind as far as it was read (a stream frame refused ends the stream). */
export type FrameScan = { ok: true; kind: number; points: number } | { ok: false; tooManyPoints: boolean; message: string; kind: number };

class Malformed extends Error {}
const MALFORMED = new Malformed();

/** Reads a varint at `pos` (up to 64 bits, as a number: exact below 2^53, large values only compared). */
function varint(b: Uint8Array, at: { pos: number }, end: number): number {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (at.pos >= end) throw MALFORMED;
    const x = b[at.pos++]!;
    v += (x & 0x7f) * mul;
    if (x < 0x80) return v;
    mul *= 128;
  }
  throw MALFORMED;
}

/** Steps over one field's value of wire type `wt`; the offset of a length-delimited value's end. */
function skip(b: Uint8Array, at: { pos: number }, end: number, wt: number): void {
  if (wt === 0) varint(b, at, end);
  else if (wt === 1) at.pos += 8;
  else if (wt === 5) at.pos += 4;
  else if (wt === 2) {
    const n = varint(b, at, end); // read first: `at.pos += varint(…)` would add to the position before the varint
    at.pos += n;
  } else throw MALFORMED; // groups (3, 4) are not proto3; 6, 7 do not exist
  if (at.pos > end) throw MALFORMED;
}

/** Varints in a packed run [from, to): one per byte below 0x80. */
function packedCount(b: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (b[i]! < 0x80) n++;
  return n;
}

/** Points a Telemetry / TelemetryColumns / TelemetryStream body at [from, to) would make. */
function countPoints(b: Uint8Array, kind: number, from: number, to: number): number {
  const at = { pos: from };
  let points = 0;
  // Only a columns frame counts per column: no Map for the others.
  const columns = kind === KIND_COLUMNS ? new Map<number, number>() : null;
  while (at.pos < to) {
    const tag = varint(b, at, to);
    const field = Math.floor(tag / 8);
    const wt = tag & 7;
    if (kind === KIND_TELEMETRY && field === 2 && wt === 2) points++;
    else if (kind === KIND_STREAM && field === 4 && wt === 0) {
      points = varint(b, at, to); // the declared count; the last occurrence wins, as in the decoder
      continue;
    } else if (kind === KIND_COLUMNS && field >= 3 && field <= 12) {
      // A column: packed (one length-delimited run) or not (one varint per entry); entries add up.
      const start = at.pos;
      if (wt === 2) {
        const len = varint(b, at, to);
        const runStart = at.pos;
        at.pos += len;
        if (at.pos > to) throw MALFORMED;
        columns!.set(field, (columns!.get(field) ?? 0) + packedCount(b, runStart, at.pos));
      } else {
        skip(b, at, to, wt);
        if (wt === 0) columns!.set(field, (columns!.get(field) ?? 0) + 1);
      }
      if (at.pos === start) throw MALFORMED;
      continue;
    }
    skip(b, at, to, wt);
  }
  if (columns !== null) for (const n of columns.values()) if (n > points) points = n;
  return points;
}

/** The frame's kind (a KIND_* number, 0 when none) and its point count, or why it cannot be read. */
export function scanClientFrame(b: Uint8Array, maxPoints: number): FrameScan {
  const at = { pos: 0 };
  let kind = 0;
  let points = 0;
  try {
    while (at.pos < b.length) {
      const tag = varint(b, at, b.length);
      const field = Math.floor(tag / 8);
      const wt = tag & 7;
      if (field >= KIND_TELEMETRY && field <= KIND_RENEW && wt === 2) {
        const len = varint(b, at, b.length);
        const from = at.pos;
        at.pos += len;
        if (at.pos > b.length) throw MALFORMED;
        // One oneof: a repeated member merges with the one before (points add up), another replaces it.
        const n = field === KIND_PING || field === KIND_RENEW ? 0 : countPoints(b, field, from, at.pos);
        points = field !== kind ? n : field === KIND_STREAM ? Math.max(points, n) : points + n;
        kind = field;
      } else skip(b, at, b.length, wt);
      if (points > maxPoints) return { ok: false, tooManyPoints: true, message: `more than ${maxPoints} points in one frame`, kind };
    }
  } catch (e) {
    if (e === MALFORMED) return { ok: false, tooManyPoints: false, message: "not a ClientFrame: truncated or malformed field", kind };
    throw e;
  }
  return { ok: true, kind, points };
}
