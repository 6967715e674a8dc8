/**
 * A single-drone link's one-report batches and the hub bundles that carry them, cheaply: the feeder
 * makes up to 100,000 of them a second on the cores the region under test runs on. Each link's batch
 * is encoded once by encodeBatch (the gateway's encoder) as a template, and every report after is that
 * template patched in place inside the bundle being written (sequence, send time, urgent flag, the
 * point), with the link id's bytes encoded once. Each batch carries its point's gateway receive time
 * (the held section: 0 ms, the feeder being the gateway that took the report in as it sent it), so the
 * region stamps an encounter's first alert with it as in production (edge-side latency starts there).
 * The patch assumes the layouts documented in src/wire/batch-layout.ts (header at fixed offsets, the
 * point as the 48 bytes before the 2-byte held section) and
 * src/wire/hub-protocol.ts; the first bundle is checked byte for byte against encodeBundle of
 * encodeBatch, and on any difference (a layout changed) every bundle is encoded in full from then on.
 */
import { encodeBatch, writePointValues } from "../../../src/wire/batch-codec.js";
import { type BundledBatch, encodeBundle } from "../../../src/wire/hub-protocol.js";
import type { TelemetryPoint } from "../../../src/wire/point.js";

const POINT_BYTES = 48;
/** The held section after the point: one u16, always 0 here (received = sentAtMs). */
const HELD_BYTES = 2;
/** Batch header flag bit: urgent (src/wire/batch-layout.ts). */
const H_URGENT = 1;
const BUNDLE_HEADER = 4;
const NO_GHOST = new Uint8Array(1);
const encoder = new TextEncoder();

/** One report of one link, waiting in a hub window. */
export interface PendingReport {
  link: OnePointLink;
  seq: number;
  sentAtMs: number;
  point: TelemetryPoint;
  urgent: boolean;
}

export class OnePointLink {
  readonly idBytes: Uint8Array;
  private template: Uint8Array | null = null;

  constructor(
    readonly linkId: string,
    private readonly traceparent: string,
    private readonly counters: Float64Array,
  ) {
    this.idBytes = encoder.encode(linkId);
  }

  /** The batch as the gateway encodes it. */
  encode(r: PendingReport): Uint8Array {
    return encodeBatch({
      seq: r.seq,
      sentAtMs: r.sentAtMs,
      traceparent: this.traceparent,
      counters: this.counters,
      points: [r.point],
      ghost: NO_GHOST,
      urgent: r.urgent,
      receivedMs: [r.sentAtMs],
    });
  }

  size(r: PendingReport): number {
    this.template ??= this.encode(r);
    return this.template.length;
  }

  /** Writes the batch at `at` of `out` (viewed by `dv`); returns its length. */
  writeInto(out: Uint8Array, dv: DataView, at: number, r: PendingReport): number {
    this.template ??= this.encode(r);
    const t = this.template;
    out.set(t, at);
    const p = r.point;
    const flags = (t[2]! | (t[3]! << 8)) & ~H_URGENT;
    dv.setUint16(at + 2, r.urgent ? flags | H_URGENT : flags, true);
    dv.setUint32(at + 4, r.seq, true);
    dv.setFloat64(at + 8, r.sentAtMs, true);
    writePointValues(dv, at + t.length - HELD_BYTES - POINT_BYTES, p);
    return t.length;
  }
}

export class BundleWriter {
  private checked = false;
  /** False once a patched bundle differed from encodeBundle's: every bundle is then encoded in full. */
  patching = true;

  write(reports: readonly PendingReport[]): Uint8Array {
    if (!this.patching) return this.full(reports);
    let size = BUNDLE_HEADER;
    for (const r of reports) size += 1 + r.link.idBytes.length + 4 + r.link.size(r);
    const out = new Uint8Array(size);
    const dv = new DataView(out.buffer);
    out[0] = 0xb7;
    out[1] = 1;
    dv.setUint16(2, reports.length, true);
    let o = BUNDLE_HEADER;
    for (const r of reports) {
      const id = r.link.idBytes;
      out[o] = id.length;
      out.set(id, o + 1);
      o += 1 + id.length;
      const n = r.link.writeInto(out, dv, o + 4, r);
      dv.setUint32(o, n, true);
      o += 4 + n;
    }
    if (!this.checked) {
      this.checked = true;
      const want = this.full(reports);
      if (want.length !== out.length || want.some((b, i) => b !== out[i])) {
        this.patching = false;
        return want;
      }
    }
    return out;
  }

  private full(reports: readonly PendingReport[]): Uint8Array {
    return encodeBundle(reports.map((r): BundledBatch => ({ linkId: r.link.linkId, bytes: r.link.encode(r) })));
  }
}
