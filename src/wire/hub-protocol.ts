/**
 * Between an ingest hub and its region (src/hub/ingest-hub.ts). Upstream, a hub sends bundles: the
 * gateway links' batches it gathered in one window, each byte for byte as its gateway encoded it, so
 * the region applies every one under its own link's sequence (exactly once whichever path it took).
 * Downstream, the region addresses frames to a gateway link behind the hub: binary frames (alerts)
 * with the link id in front, text frames (control) as `linkId NUL json`. A hub announces a gateway
 * link it now carries with `open`, and the region answers with that link's `hello`. Several text
 * envelopes may share one message, one per line.
 */
import { BatchFormatError } from "./batch-codec.js";
import { asciiLength, decodeShort, writeAscii } from "./short-strings.js";

const BUNDLE_MAGIC = 0xb7;
const ENVELOPE_MAGIC = 0xb8;
const VERSION = 1;
const SEP = "\u0000";
const LF = "\n";
const encoder = new TextEncoder();

/** One gateway link's batch inside a bundle. */
export interface BundledBatch {
  linkId: string;
  bytes: Uint8Array;
}

/**
 * One message of gateway batches: u8 magic | u8 version | u16 count |
 * (u8 link id length | link id | u32 length | batch bytes) × count.
 */
export function encodeBundle(batches: readonly BundledBatch[]): Uint8Array {
  if (batches.length > 0xffff) throw new BatchFormatError("more than 65535 batches in one bundle");
  // Link ids are ASCII (hub-link.ts checks them): written byte by byte, not encoded into a buffer each.
  let size = 4;
  for (const b of batches) {
    const n = idLength(b.linkId);
    if (n > 255) throw new BatchFormatError("link id longer than 255 bytes");
    size += 1 + n + 4 + b.bytes.length;
  }
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  out[0] = BUNDLE_MAGIC;
  out[1] = VERSION;
  dv.setUint16(2, batches.length, true);
  let o = 4;
  for (const { linkId, bytes } of batches) {
    const n = asciiLength(linkId);
    const id = n < 0 ? encoder.encode(linkId) : null;
    out[o] = id === null ? n : id.length;
    if (id === null) writeAscii(out, o + 1, linkId);
    else out.set(id, o + 1);
    o += 1 + out[o]!;
    dv.setUint32(o, bytes.length, true);
    out.set(bytes, o + 4);
    o += 4 + bytes.length;
  }
  return out;
}

/** UTF-8 length of a link id. */
function idLength(id: string): number {
  const n = asciiLength(id);
  return n >= 0 ? n : encoder.encode(id).length;
}

export function isBundle(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === BUNDLE_MAGIC;
}

/**
 * A bundle as the region reads it: each batch's link and where it lies in `bytes`, no view or object per
 * batch (a bundle holds a hundred one-point batches: batch-decode.ts).
 */
export interface Bundle {
  bytes: Uint8Array;
  view: DataView;
  linkIds: string[];
  starts: number[];
  ends: number[];
}

/** Reads a bundle's table of batches; throws BatchFormatError when the layout does not add up. */
export function readBundle(bytes: Uint8Array): Bundle {
  if (!isBundle(bytes) || bytes[1] !== VERSION) throw new BatchFormatError("not an airspace hub bundle");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint16(2, true);
  // Grown as the table is read, not sized from the count it declares (a short bundle must not cost 65,535 slots).
  const bundle: Bundle = { bytes, view, linkIds: [], starts: [], ends: [] };
  let o = 4;
  for (let i = 0; i < n; i++) {
    const idLen = o < bytes.length ? bytes[o]! : -1;
    if (idLen < 1 || o + 1 + idLen + 4 > bytes.length) throw new BatchFormatError(`bundle truncated at batch ${i}`);
    bundle.linkIds.push(decodeShort(bytes, o + 1, o + 1 + idLen));
    o += 1 + idLen;
    const len = view.getUint32(o, true);
    if (o + 4 + len > bytes.length) throw new BatchFormatError(`bundle truncated in batch ${i}`);
    bundle.starts.push(o + 4);
    bundle.ends.push(o + 4 + len);
    o += 4 + len;
  }
  if (o !== bytes.length) throw new BatchFormatError("bundle has trailing bytes");
  return bundle;
}

/** The batches of a bundle (views into it); throws BatchFormatError when the layout does not add up. */
export function decodeBundle(bytes: Uint8Array): BundledBatch[] {
  const b = readBundle(bytes);
  return b.linkIds.map((linkId, i) => ({ linkId, bytes: bytes.subarray(b.starts[i], b.ends[i]) }));
}

/** A binary frame for gateway link `linkId`: u8 magic | u8 version | u8 id length | id | frame. */
export function envelopeBinary(linkId: string, frame: Uint8Array): Uint8Array {
  const id = encoder.encode(linkId);
  if (id.length > 255) throw new BatchFormatError("link id longer than 255 bytes");
  const out = new Uint8Array(3 + id.length + frame.length);
  out[0] = ENVELOPE_MAGIC;
  out[1] = VERSION;
  out[2] = id.length;
  out.set(id, 3);
  out.set(frame, 3 + id.length);
  return out;
}

export function envelopeText(linkId: string, text: string): string {
  return `${linkId}${SEP}${text}`;
}

/**
 * Text envelopes for several links behind one hub as one message, joined by LF (neither a link id nor
 * JSON text holds a raw LF): a socket message costs the region about as much as applying a batch, so a
 * bundle's acks go back as one.
 */
export function joinEnvelopes(envelopes: readonly string[]): string {
  return envelopes.join(LF);
}

/** Every envelope of a frame from the region (text may join several: joinEnvelopes); the ones that do not parse are left out. */
export function openEnvelopes(data: Uint8Array | string): { linkId: string; frame: Uint8Array | string }[] {
  if (typeof data !== "string" || !data.includes(LF)) {
    const one = openEnvelope(data);
    return one ? [one] : [];
  }
  const out: { linkId: string; frame: string }[] = [];
  for (const part of data.split(LF)) {
    const e = openEnvelope(part);
    if (e) out.push(e as { linkId: string; frame: string });
  }
  return out;
}

/** Who a frame from the region is for, and the frame itself; null when it is not an envelope. */
export function openEnvelope(data: Uint8Array | string): { linkId: string; frame: Uint8Array | string } | null {
  if (typeof data === "string") {
    const i = data.indexOf(SEP);
    return i > 0 ? { linkId: data.slice(0, i), frame: data.slice(i + 1) } : null;
  }
  if (data.length < 3 || data[0] !== ENVELOPE_MAGIC || data[1] !== VERSION || data.length < 3 + data[2]!) return null;
  const n = data[2]!;
  return { linkId: decodeShort(data, 3, 3 + n), frame: data.subarray(3 + n) };
}

/** A hub tells its region: this gateway link is now behind me (answer with its hello), or no longer is. */
export type HubControl = { t: "open" | "closed"; link: string };

export function encodeHubControl(m: HubControl): string {
  return JSON.stringify(m);
}

export function parseHubControl(text: string): HubControl | null {
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    const ok = o && (o.t === "open" || o.t === "closed") && typeof o.link === "string" && /^[\w.:-]{1,128}$/.test(o.link);
    return ok ? { t: o.t as HubControl["t"], link: o.link as string } : null;
  } catch {
    return null;
  }
}
