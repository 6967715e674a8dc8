/**
 * A single-drone link's one-report batches, cheaply: encoded once by encodeBatch (the gateway's
 * encoder) and then patched per report (sequence, send time, urgent flag, the point), because the
 * feeder encodes up to 100,000 of them a second on the cores the region under test runs on. The
 * patch assumes the layout documented in src/wire/batch-codec.ts (header at fixed offsets, the point
 * as the last 48 bytes); each template checks itself byte for byte against encodeBatch on its first
 * use and, if the layout has changed, the link falls back to encodeBatch for every report.
 */
import { encodeBatch } from "../../../src/wire/batch-codec.js";
import type { TelemetryPoint } from "../../../src/wire/point.js";

const POINT_BYTES = 48;
const NO_GHOST = new Uint8Array(1);

export class OnePointBatches {
  private template: Uint8Array | null = null;
  private checked = false;
  /** False once the patch disagreed with encodeBatch (every report is then encoded in full). */
  patching = true;

  constructor(
    private readonly traceparent: string,
    private readonly counters: Float64Array,
  ) {}

  encode(seq: number, sentAtMs: number, p: TelemetryPoint, urgent: boolean): Uint8Array {
    const full = () => encodeBatch({ seq, sentAtMs, traceparent: this.traceparent, counters: this.counters, points: [p], ghost: NO_GHOST, urgent });
    if (!this.patching) return full();
    if (!this.template) this.template = full();
    const out = this.template.slice();
    const dv = new DataView(out.buffer);
    dv.setUint16(2, urgent ? 1 : 0, true);
    dv.setUint32(4, seq, true);
    dv.setFloat64(8, sentAtMs, true);
    const o = out.length - POINT_BYTES;
    dv.setUint8(o + 3, p.battery >= 0 ? Math.round(p.battery) : 0);
    dv.setUint32(o + 4, p.seq >= 0 ? p.seq : 0, true);
    dv.setFloat64(o + 8, p.timeMs, true);
    dv.setFloat64(o + 16, p.lat, true);
    dv.setFloat64(o + 24, p.lon, true);
    dv.setFloat32(o + 32, p.altM, true);
    dv.setFloat32(o + 36, p.vn, true);
    dv.setFloat32(o + 40, p.ve, true);
    dv.setFloat32(o + 44, p.vu, true);
    if (!this.checked) {
      this.checked = true;
      const want = full();
      if (want.length !== out.length || want.some((b, i) => b !== out[i])) {
        this.patching = false;
        return want;
      }
    }
    return out;
  }
}
