/**
 * Operators watching a region live (`/v1/ops/stream`, through the gateway behind the ops token), and
 * the region's recent drone tracks (`/v1/regions/:r/drones/:id/track`). Watchers are hibernatable
 * sockets tagged WATCHER_TAG: each gets one snapshot a second (src/detect/ops-snapshot.ts), built and
 * serialised once per tick whatever the number of watchers, with the events since the last one in it.
 * A watcher sends nothing; the region ignores what it does send. The shell's hooks: `fetch` for the
 * two paths, `noteOutputs` for each turn's outputs, `tick` at the alarm. A watcher sees its operator's
 * fleet (its drones, the encounters they are in, their events; "*" sees all): one snapshot is built per
 * fleet watching, not per watcher.
 */
import type { Options } from "../config.js";
import { OpsFeed } from "../detect/ops-feed.js";
import { buildSnapshot } from "../detect/ops-snapshot.js";
import type { DroneSnapshot, FleetMetrics, OpsEvent, RegionCore, RegionOutput } from "../detect/region-core.js";
import { TrackRings } from "../detect/track-rings.js";
import { attachmentOf } from "./attachments.js";
import { FLEET_ALL, fleetSees } from "../wire/fleet-key.js";
import type { OpsEvent as FeedEvent } from "../wire/ops-frames.js";

/** The watchers' hibernation tag: link ids match /^[\w.:-]+$/ (link-socket.ts), so no link has it. */
export const WATCHER_TAG = "#ops-watcher";
/** Samples returned by one track request at most. */
const MAX_TRACK_SAMPLES = 3600;

interface WatcherAttachment {
  watcher: true;
  /** The operator's fleet ("*": every fleet). */
  fleet?: string;
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
      for (const e of events) if (e.brief === true) this.tracks.forget(e.droneId);
    }
    if (!this.watching) return;
    this.feed.noteEvents(events);
    const feed = this.feed.take();
    const byFleet = new Map<string, string>();
    for (const ws of sockets) {
      const fleet = (ws.deserializeAttachment() as WatcherAttachment | null)?.fleet ?? FLEET_ALL;
      let text = byFleet.get(fleet);
      if (text === undefined) {
        text = this.snapshotText(core, drones, nowMs, fleet, feed);
        byFleet.set(fleet, text);
      }
      safeSend(ws, text);
    }
  }

  /** Whether `ws` is a watcher (not a gateway link). */
  static isWatcher(ws: WebSocket): boolean {
    return (attachmentOf(ws) as Partial<WatcherAttachment> | null)?.watcher === true;
  }

  private accept(request: Request, core: RegionCore, nowMs: number): Response {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return new Response("expected a WebSocket upgrade", { status: 426 });
    const pair = new WebSocketPair();
    const server = pair[1];
    const fleet = new URL(request.url).searchParams.get("fleet") ?? FLEET_ALL;
    this.ctx.acceptWebSocket(server, [WATCHER_TAG]);
    server.serializeAttachment({ watcher: true, fleet } satisfies WatcherAttachment);
    this.watching = true;
    // The first snapshot at once: the page has something to draw before the next tick.
    safeSend(server, this.snapshotText(core, core.space.homeDrones(), nowMs, fleet, { events: [], dropped: 0 }));
    // The gateway answers the browser's subprotocol (src/gateway/app.ts).
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  private snapshotText(core: RegionCore, drones: DroneSnapshot[], nowMs: number, fleet: string, feed: { events: FeedEvent[]; dropped: number }): string {
    const all = fleet === FLEET_ALL;
    const snapshot = buildSnapshot({
      region: core.regionKey,
      nowMs,
      drones: all ? drones : drones.filter((d) => fleetSees(fleet, d.droneId)),
      encounters: all ? core.encounters() : core.encounters().filter((e) => fleetSees(fleet, e.a) || fleetSees(fleet, e.b)),
      metrics: this.lastMetrics,
      events: all ? feed.events : feed.events.filter((e) => fleetSees(fleet, e.droneId)),
      eventsDropped: feed.dropped,
      lowBatteryPct: this.opts.lowBatteryPct,
    });
    return JSON.stringify(snapshot);
  }

  /**
   * `?drone=ID&since=<unix ms>&limit=N`: the drone's samples from `since`, oldest first, a page of at
   * most `limit`; `next` is the `since` of the following page (null on the last).
   */
  private track(params: URLSearchParams, region: string, nowMs: number): Response {
    const droneId = params.get("drone") ?? "";
    if (droneId.length === 0 || droneId.length > 128) return Response.json({ error: "bad_drone", detail: "drone keys are 1-128 characters" }, { status: 400 });
    const sinceRaw = Number(params.get("since") ?? Number.NaN);
    const since = Number.isFinite(sinceRaw) ? sinceRaw : nowMs - this.opts.trackSeconds * 1000;
    const limitRaw = Math.floor(Number(params.get("limit") ?? MAX_TRACK_SAMPLES));
    const limit = limitRaw > 0 ? Math.min(limitRaw, MAX_TRACK_SAMPLES) : MAX_TRACK_SAMPLES;
    const samples = this.tracks.track(droneId, since, limit + 1);
    // Samples are at least 900 ms apart: one past the last of a page starts the next exactly.
    const next = samples.length > limit ? samples[limit - 1]!.timeMs + 1 : null;
    if (next !== null) samples.length = limit;
    return Response.json({ region, droneId, trackSeconds: this.opts.trackSeconds, samples, next });
  }
}

function safeSend(ws: WebSocket, data: string): void {
  try {
    ws.send(data);
  } catch {
    // The watcher left under us; its close handler follows.
  }
}
