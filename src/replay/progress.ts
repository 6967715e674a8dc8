/**
 * What a replay tells its user while it runs: on a terminal one line rewritten in place (rows sent of
 * the total, points/s, alerts so far, ETA); elsewhere (CI, a pipe, a log) a plain line every few
 * seconds. Rates are over the last few seconds, so a paused replay shows 0 points/s, not its average.
 */

export interface ProgressSnapshot {
  /** Rows sent and rows in the file. */
  sent: number;
  total: number;
  alerts: number;
  /** Rows waiting in the client queues (sent to the library, not yet on the wire). */
  queued: number;
}

export interface ProgressOptions {
  /** Rewrite one line (a terminal) or print plain lines. */
  tty: boolean;
  write: (text: string) => void;
  /** Between plain lines, ms. Default: 5000 */
  plainEveryMs?: number;
  /** Between terminal redraws, ms. Default: 250 */
  ttyEveryMs?: number;
  /** The file's size, bytes, when known: the first pass shows how far it got. */
  fileBytes?: number;
}

/** Seconds as m:ss or h:mm:ss. */
export function clock(s: number): string {
  if (!Number.isFinite(s) || s < 0) return "–";
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const ss = String(t % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

const n = (x: number) => Math.round(x).toLocaleString("en-US");

export function progressLine(p: ProgressSnapshot, pointsPerS: number, elapsedMs: number): string {
  const pct = p.total > 0 ? Math.floor((100 * p.sent) / p.total) : 100;
  const eta = pointsPerS > 0 ? (p.total - p.sent) / pointsPerS : Number.NaN;
  return `${n(p.sent)}/${n(p.total)} rows (${pct}%) · ${n(pointsPerS)} points/s · ${n(p.alerts)} alerts · ${clock(elapsedMs / 1000)} elapsed · ETA ${p.sent >= p.total ? "0:00" : clock(eta)}`;
}

/** Rate window: the rate shown is over about this many ms. */
const WINDOW_MS = 3000;

export class ProgressReporter {
  private readonly samples: { atMs: number; sent: number }[] = [];
  private lastWriteMs = Number.NEGATIVE_INFINITY;
  private drawn = false;

  constructor(
    private readonly o: ProgressOptions,
    private readonly startMs: number,
  ) {}

  /** Call often (every row is fine): writes only when a redraw or a plain line is due, or when `force`d (the last one). */
  update(nowMs: number, p: ProgressSnapshot, force = false): void {
    const every = this.o.tty ? (this.o.ttyEveryMs ?? 250) : (this.o.plainEveryMs ?? 5000);
    if (!force && nowMs - this.lastWriteMs < every) return;
    this.samples.push({ atMs: nowMs, sent: p.sent });
    while (this.samples.length > 2 && nowMs - this.samples[1]!.atMs >= WINDOW_MS) this.samples.shift();
    // The first line comes one period after the start, with a rate to show.
    if (!force && this.lastWriteMs === Number.NEGATIVE_INFINITY) {
      this.lastWriteMs = nowMs;
      if (!this.o.tty) return;
    }
    this.lastWriteMs = nowMs;
    const first = this.samples[0]!;
    const dt = nowMs - first.atMs;
    const rate = dt > 0 ? ((p.sent - first.sent) * 1000) / dt : 0;
    const line = progressLine(p, rate, nowMs - this.startMs);
    if (this.o.tty) {
      this.o.write(`\r${line}\x1b[K`);
      this.drawn = true;
    } else this.o.write(`replay: ${line}\n`);
  }

  /**
   * The first pass over the file (finding its recordings), which on a multi-gigabyte export takes
   * minutes: rows and bytes read so far (of the file's size when known), at the same cadence as update.
   */
  reading(nowMs: number, rows: number, bytes: number): void {
    const every = this.o.tty ? (this.o.ttyEveryMs ?? 250) : (this.o.plainEveryMs ?? 5000);
    if (this.lastWriteMs === Number.NEGATIVE_INFINITY) this.lastWriteMs = nowMs;
    if (nowMs - this.lastWriteMs < every) return;
    this.lastWriteMs = nowMs;
    const mb = (b: number) => `${n(b / 1e6)} MB`;
    const total = this.o.fileBytes;
    const of = total ? ` of ${mb(total)} (${Math.floor((100 * bytes) / total)}%)` : "";
    const line = `reading the file: ${n(rows)} rows, ${mb(bytes)}${of} · ${clock((nowMs - this.startMs) / 1000)} elapsed`;
    if (this.o.tty) {
      this.o.write(`\r${line}\x1b[K`);
      this.drawn = true;
    } else this.o.write(`replay: ${line}\n`);
  }

  /** Ends the terminal line, so what follows starts on a fresh one. */
  end(): void {
    if (this.drawn) this.o.write("\n");
    this.drawn = false;
  }
}
