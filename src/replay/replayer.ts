/**
 * One replay of a position-report CSV against an edge: a first pass finds the recordings
 * (recording-scan.ts), the first connection's welcome gives the edge's limits, the drones are spread
 * over as many relay connections as those need (connection-plan.ts, opened through a bounded pool),
 * then every recording is read from its own byte range and the rows are merged in timeline order
 * (timeline.ts), paced (pacer.ts) and sent; progress as it goes, the sessions' counters at the end.
 * The CLI (scripts/replay.ts) only parses flags, opens the file and prints.
 */
import type { Readable } from "node:stream";
import { RelayClient } from "../client/relay.js";
import type { AlertMessage, SessionCounters, WelcomeMessage } from "../client/messages.js";
import type { WebSocketCtor } from "../client/socket.js";
import { DEFAULTS } from "../config.js";
import { forEachBounded } from "./bounded-pool.js";
import { ConnectionPlan } from "./connection-plan.js";
import { errorText, settled, withTimeout } from "./connection-wait.js";
import { type CsvEvent, readCsvRows } from "./csv-rows.js";
import { Pacer } from "./pacer.js";
import { type ProgressOptions, ProgressReporter } from "./progress.js";
import { RecordingScanner, replayedId } from "./recording-scan.js";
import type { ReplaySummary } from "./replay-summary.js";
import { type Align, Timeline } from "./timeline.js";
import { emptyCounters } from "../client/session-counters.js";

export interface ReplayOptions {
  url: string;
  /**
   * A relay token (every connection, also with perDrone, sends drones by name), or one per connection:
   * the edge caps the sockets one token may hold (TOKEN_MAX_CONNECTIONS, 4 by default), so a replay over
   * more connections needs a token for each.
   */
  token: string | ((connection: number) => string | Promise<string>);
  /** The CSV: the whole file, or its bytes [start, end). */
  open: (range?: { start: number; end: number }) => Readable | AsyncIterable<Uint8Array>;
  /** × real time; Infinity: as fast as the edge's limits allow. */
  speed: number;
  /** Default: "recordings" (each recording starts now). */
  align?: Align;
  keepGaps?: boolean;
  perDrone?: boolean;
  idColumn?: string;
  zstd?: boolean;
  /** Wait for late alerts after the last row, ms. Default: 1000 */
  lingerMs?: number;
  /** Handshakes at once. Default: 32 */
  connectConcurrency?: number;
  /** Give up on a connection after, ms. Default: 15000 */
  connectTimeoutMs?: number;
  onAlert?: (a: AlertMessage) => void;
  progress?: ProgressOptions;
  /** Stops the replay early (Ctrl-C); the summary still comes. */
  signal?: AbortSignal;
  /** The connections' WebSocket constructor: the `ws` package or a subclass (the chaos run drops its sockets). */
  WebSocket?: WebSocketCtor;
}

type Row = Extract<CsvEvent, { kind: "row" }>;
interface Head {
  rec: number;
  it: AsyncGenerator<CsvEvent>;
  row: Row | null;
  offsetS: number;
}

/** Rows a connection may hold unsent before the replay waits for it (bounded memory). */
const QUEUE_HIGH = 20_000;
/** Parsed rows the recordings' readers hold ahead, all together: thousands of recordings read side by side stay bounded. */
const READ_AHEAD_ROWS = 64 * 1024;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function runReplay(o: ReplayOptions): Promise<ReplaySummary> {
  const startedMs = Date.now();
  const aborted = () => o.signal?.aborted === true;
  const scanner = new RecordingScanner();
  const reading = o.progress ? new ProgressReporter(o.progress, startedMs) : null;
  let rowsRead = 0;
  for await (const e of readCsvRows(o.open(), { idColumn: o.idColumn })) {
    scanner.add(e);
    if (reading && e.kind !== "header" && (++rowsRead & 1023) === 0) reading.reading(Date.now(), rowsRead, e.endByte);
    if (aborted()) break;
  }
  reading?.end();
  const scan = scanner.result();
  const alertsByLevel: Record<string, number> = {};
  const serverErrors: Record<string, number> = {};
  const clients: RelayClient[] = [];
  /** Rows the client library refused (a value out of range): counted with the unreadable ones. */
  const invalid = { count: 0, lines: [] as { line: number; reason: string }[] };
  let firstRejection: string | undefined;
  const summary = (sent: number, server: SessionCounters, missing: number): ReplaySummary => ({
    rows: scan.rows,
    sent,
    recordings: scan.recordings.length,
    drones: scan.drones,
    connections: clients.length,
    bad: scan.bad + invalid.count,
    badLines: [...scan.badLines, ...invalid.lines].slice(0, 20),
    outOfOrder: scan.outOfOrder,
    server,
    missingCounters: missing,
    alertsByLevel,
    serverErrors,
    droppedByClient: clients.reduce((s, c) => s + c.stats.droppedOverflow, 0),
    elapsedMs: Date.now() - startedMs,
    interrupted: aborted(),
    ...(firstRejection === undefined ? {} : { firstRejection }),
  });
  if (scan.rows === 0 || aborted()) return summary(0, emptyCounters(), 0);

  /** Each connection's latest transport error: why it could not connect, should it time out. */
  const lastError = new Map<RelayClient, unknown>();
  const newClient = () => {
    const socket = o.WebSocket ? { WebSocket: o.WebSocket, nodeWs: true } : {};
    const i = clients.length;
    const tokenOf = o.token;
    const token = typeof tokenOf === "string" ? tokenOf : () => tokenOf(i);
    const c = new RelayClient({ url: o.url, token, compress: o.zstd ?? false, queueCapacity: 1_000_000, pingIntervalMs: 5000, ...socket });
    c.on("alert", (a) => {
      alertsByLevel[a.level] = (alertsByLevel[a.level] ?? 0) + 1;
      o.onAlert?.(a);
    });
    c.on("serverError", (e) => {
      serverErrors[e.code] = (serverErrors[e.code] ?? 0) + (e.count || 1);
      if (e.code === "INVALID_POINT") firstRejection ??= e.message;
    });
    c.on("error", (e) => lastError.set(c, e.error)); // transport trouble: the client reconnects by itself
    clients.push(c);
    return c;
  };
  const connect = (c: RelayClient) =>
    withTimeout(c.connect(), o.connectTimeoutMs ?? 15_000, () => {
      const e = lastError.get(c);
      const why = e === undefined ? "" : `: ${errorText(e)}`;
      const which = clients.length > 1 ? ` (connection ${clients.indexOf(c) + 1} of ${clients.length})` : "";
      const hint = /\b429\b/.test(why)
        ? " (the edge caps the sockets one token may hold, TOKEN_MAX_CONNECTIONS: give each connection its own token)"
        : e === undefined || /ECONNREFUSED/.test(why)
          ? " (is the edge running?)"
          : "";
      return `could not connect to ${o.url}${which}${why}${hint}`;
    });
  let welcome: WelcomeMessage;
  let plan: ConnectionPlan;
  try {
    welcome = await connect(newClient());
    // The drones may need more connections than one relay may carry: open the others side by side.
    plan = new ConnectionPlan({ drones: scan.drones, relayMaxDrones: welcome.relayMaxDrones || DEFAULTS.relayMaxDrones, perDrone: o.perDrone ?? false });
    const more = Array.from({ length: plan.connections - 1 }, newClient);
    await forEachBounded(more, o.connectConcurrency ?? 32, async (c) => void (await connect(c)));
  } catch (err) {
    for (const c of clients) c.close();
    throw err;
  }
  const aligned = (o.align ?? "recordings") === "recordings";
  const timeline = new Timeline(scan.recordings, { align: o.align ?? "recordings", keepGaps: o.keepGaps ?? false });
  const startMs = Date.now() + 100;
  const pacer = new Pacer({
    speed: o.speed,
    startMs,
    pointsPerSecond: welcome.pointsPerSecond || DEFAULTS.droneRate,
    burstPoints: welcome.burstPoints || DEFAULTS.droneBurst,
  });
  const progress = o.progress ? new ProgressReporter(o.progress, startMs) : null;
  const alerts = () => Object.values(alertsByLevel).reduce((a, b) => a + b, 0);
  const queued = () => clients.reduce((s, c) => s + c.stats.queued, 0);

  // Every recording read from its own byte range, merged by timeline offset.
  const heads: Head[] = scan.recordings.map((r) => ({
    rec: r.index,
    it: readCsvRows(o.open({ start: r.startByte, end: r.endByte }), {
      header: scan.header,
      idColumn: o.idColumn,
      firstLine: r.firstLine,
      firstByte: r.startByte,
      highWater: Math.min(1024, Math.max(8, Math.floor(READ_AHEAD_ROWS / scan.recordings.length))),
    }),
    row: null,
    offsetS: 0,
  }));
  const advance = async (h: Head) => {
    h.row = null;
    for (let e = await h.it.next(); !e.done; e = await h.it.next())
      if (e.value.kind === "row") {
        h.row = e.value;
        h.offsetS = timeline.offsetS(h.rec, e.value.timeS);
        return;
      }
  };
  let sent = 0;
  try {
    for (const h of heads) await advance(h);
    while (!aborted()) {
      let h: Head | null = null;
      for (const x of heads) if (x.row && (h === null || x.offsetS < h.offsetS)) h = x;
      if (h === null) break;
      const row = h.row!;
      const id = replayedId(row.point.droneId, h.rec, scan.firstRecordingOf, aligned);
      const due = pacer.dueMs(id, h.offsetS);
      // Wait in short steps so the progress line moves and Ctrl-C is heard during long pauses.
      for (let now = Date.now(); now < due && !aborted(); now = Date.now()) {
        progress?.update(now, { sent, total: scan.rows, alerts: alerts(), queued: queued() });
        await sleep(Math.min(250, due - now));
      }
      const client = clients[plan.connectionOf(id)]!;
      while (client.stats.queued > QUEUE_HIGH && !aborted()) await sleep(20);
      if (aborted()) break;
      const now = Date.now();
      try {
        client.send({ ...row.point, droneId: id, timeMs: pacer.take(id, now) });
        sent++;
      } catch (err) {
        // A point the library refuses (out of range): an unreadable row, never a crash.
        invalid.count++;
        if (invalid.lines.length < 20) invalid.lines.push({ line: row.line, reason: (err as Error).message });
      }
      progress?.update(now, { sent, total: scan.rows, alerts: alerts(), queued: queued() });
      // Let timers (the clients' batch flushes) run even when every row is due at once.
      if ((sent & 255) === 0) await new Promise((r) => setImmediate(r));
      await advance(h);
    }
  } finally {
    await Promise.all(heads.map((h) => h.it.return(undefined)));
  }

  // Drain the queues (briefly after Ctrl-C), linger for late alerts, then read every session's counters.
  for (const c of clients) c.flush();
  const drainBy = Date.now() + (aborted() ? 2000 : 30_000);
  while (queued() > 0 && Date.now() < drainBy) await sleep(20);
  await sleep(aborted() ? Math.min(200, o.lingerMs ?? 1000) : (o.lingerMs ?? 1000));
  progress?.update(Date.now(), { sent, total: scan.rows, alerts: alerts(), queued: queued() }, true);
  progress?.end();
  const server = emptyCounters();
  let missing = 0;
  await forEachBounded(clients, 32, async (c) => {
    try {
      await settled(c, aborted() ? 2000 : 30_000);
      // Summed over the connection's sessions, should it have reconnected on the way.
      const counters = c.counters;
      for (const k of Object.keys(server) as (keyof SessionCounters)[]) server[k] += counters[k];
    } catch {
      missing++;
    }
  });
  for (const c of clients) c.close();
  return summary(sent, server, missing);
}
