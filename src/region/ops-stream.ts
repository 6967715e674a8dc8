/**
 * Operators watching a region live (`/v1/ops/stream`, through the gateway behind the ops token), and
 * the region's recent drone tracks (`/v1/regions/:r/drones/:id/track`). Watchers are hibernatable
 * sockets tagged WATCHER_TAG: each gets one snapshot a second (src/detect/ops-snapshot.ts), built and
 * serialised once per tick whatever the number of watchers, with the events since the last one in it.
 * A watcher sends nothing; the region ignores what it does send. The shell's hooks: `fetch` for the
 * two paths, `noteOutputs` for each turn's outputs, `tick` at the alarm.
 */
import type { Options } from "../config.js";
import { OpsFeed } from "../detect/ops-feed.js";
import { buildSnapshot } from "../detect/ops-snapshot.js";
import type { DroneSnapshot, FleetMetrics, OpsEvent, RegionCore, RegionOutput } from "../detect/region-core.js";
import { TrackRings } from "../detect/track-rings.js";

/** The watchers' hibernation tag: link ids match /^[\w.:-]+$/ (link-socket.ts), so no link has it. */
export const WATCHER_TAG = "#ops-watcher";
/** Samples returned by one track request at most. */
const MAX_TRACK_SAMPLES = 3600;

interface WatcherAttachment {
  watcher: true;
}

export class OpsStream {
  private readonly feed = new OpsFeed();
  private readonly tracks: TrackRings;
  private lastMetrics: FleetMetrics | null = null;
  /** Watchers open at the last count (accept, tick): the feed is kept only while someone watches. */
  private watching: boolean;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly opts: Options,
  ) {
    this.tracks = new TrackRings(opts.trackSeconds);
    this.watching = this.watchers() > 0;
  }

  /** Watcher sockets open now. */
  watchers(): number {
    return this.ctx.getWebSockets(WATCHER_TAG).length;
  }

  /** The response for `/ops/stream` or `/ops/track`, or null for any other path. */
  fetch(request: Request, url: URL, core: RegionCore, nowMs: number): Response | null {
    if (url.pathname === "/ops/stream") return this.accept(request, core, nowMs);
    if (url.pathname === "/ops/track") return this.track(url.searchParams, core.regionKey, nowMs);
    return null;
  }

  /** The outputs of one region turn, for the feed. */
  noteOutputs(outputs: readonly RegionOutput[], nowMs: number): void {
    if (this.watching && outputs.length > 0) this.feed.noteOutputs(outputs, nowMs);
  }

  /** The alarm's second: samples the tracks, then one snapshot to every watcher. */
  tick(core: RegionCore, metrics: FleetMetrics, events: readonly OpsEvent[], nowMs: number): void {
    this.lastMetrics = metrics;
    const sockets = this.ctx.getWebSockets(WATCHER_TAG);
    this.watching = sockets.length > 0;
    if (!this.watching && this.opts.trackSeconds <= 0) return;
    const drones = core.space.homeDrones();
    if (this.opts.trackSeconds > 0) {
      for (const d of drones) this.tracks.record(d.droneId, d.timeMs, d.lat, d.lon, d.altM);
      this.tracks.forgetBefore(nowMs - this.opts.trackSeconds * 1000);
    }
    if (!this.watching) return;
    this.feed.noteEvents(events);
    const text = this.snapshotText(core, drones, nowMs);
    for (const ws of sockets) safeSend(ws, text);
  }

  /** Whether `ws` is a watcher (not a gateway link). */
  static isWatcher(ws: WebSocket): boolean {
    return (ws.deserializeAttachment() as WatcherAttachment | null)?.watcher === true;
  }

  private accept(request: Request, core: RegionCore, nowMs: number): Response {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return new Response("expected a WebSocket upgrade", { status: 426 });
    const pair = new WebSocketPair();
    const server = pair[1];
    this.ctx.acceptWebSocket(server, [WATCHER_TAG]);
    server.serializeAttachment({ watcher: true } satisfies WatcherAttachment);
    this.watching = true;
    // The first snapshot at once: the page has something to draw before the next tick.
    safeSend(server, this.snapshotText(core, core.space.homeDrones(), nowMs, false));
    // The gateway answers the browser's subprotocol (src/gateway/app.ts).
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  private snapshotText(core: RegionCore, drones: DroneSnapshot[], nowMs: number, takeEvents = true): string {
    const { events, dropped } = takeEvents ? this.feed.take() : { events: [], dropped: 0 };
    const snapshot = buildSnapshot({
      region: core.regionKey,
      nowMs,
      drones,
      encounters: core.encounters(),
      metrics: this.lastMetrics,
      events,
      eventsDropped: dropped,
      lowBatteryPct: this.opts.lowBatteryPct,
    });
    return JSON.stringify(snapshot);
  }

  /** `?drone=ID&since=<unix ms>&limit=N`: the drone's samples, oldest first (the newest `limit`). */
  private track(params: URLSearchParams, region: string, nowMs: number): Response {
    const droneId = params.get("drone") ?? "";
    if (droneId.length === 0 || droneId.length > 64) return Response.json({ error: "bad_drone", detail: "drone ids are 1-64 characters" }, { status: 400 });
    const sinceRaw = Number(params.get("since") ?? Number.NaN);
    const since = Number.isFinite(sinceRaw) ? sinceRaw : nowMs - this.opts.trackSeconds * 1000;
    const limitRaw = Math.floor(Number(params.get("limit") ?? MAX_TRACK_SAMPLES));
    const limit = limitRaw > 0 ? Math.min(limitRaw, MAX_TRACK_SAMPLES) : MAX_TRACK_SAMPLES;
    const samples = this.tracks.track(droneId, since, limit);
    return Response.json({ region, droneId, trackSeconds: this.opts.trackSeconds, samples });
  }
}

function safeSend(ws: WebSocket, data: string): void {
  try {
    ws.send(data);
  } catch {
    // The watcher left under us; its close handler follows.
  }
}
