/**
 * The gateway's look at a ServerFrame it forwards from a region: when the frame is an encounter's first
 * alert, the edge receive time of the report that started it (CollisionAlert.edge_received_ms), so the
 * session can measure edge-side alert latency without decoding the frame. One pass over tags; anything
 * unexpected answers 0 (no sample), never throws: the frame is forwarded either way.
 */

/** ServerFrame.alert (field 2, length-delimited) and CollisionAlert.edge_received_ms (field 14, varint). */
const ALERT_TAG = (2 << 3) | 2;
const RECEIVED_FIELD = 14;

export function alertEdgeReceivedMs(b: Uint8Array): number {
  if (b.length < 2 || b[0] !== ALERT_TAG) return 0;
  const at = { pos: 1 };
  const len = varint(b, at, b.length);
  const end = at.pos + len;
  if (len < 0 || end > b.length) return 0;
  while (at.pos < end) {
    const tag = varint(b, at, end);
    if (tag < 0) return 0;
    const field = Math.floor(tag / 8);
    const wt = tag & 7;
    if (wt === 0) {
      const v = varint(b, at, end);
      if (v < 0) return 0;
      if (field === RECEIVED_FIELD) return v;
    } else if (wt === 2) {
      const n = varint(b, at, end);
      if (n < 0) return 0;
      at.pos += n;
    } else if (wt === 5) at.pos += 4;
    else if (wt === 1) at.pos += 8;
    else return 0;
  }
  return 0;
}

/** A varint at `at.pos` as a number (exact below 2^53), or -1 when truncated or longer than 10 bytes. */
function varint(b: Uint8Array, at: { pos: number }, end: number): number {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 10 && at.pos < end; i++) {
    const x = b[at.pos++]!;
    v += (x & 0x7f) * mul;
    if (x < 0x80) return v;
    mul *= 128;
  }
  return -1;
}
