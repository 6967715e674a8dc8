/**
 * The region's side of the event export: each turn's alerts and advisories (after their frames went
 * out) and each tick's lost / recovered / low-battery events go to the EVENTS queue, never awaited by
 * the turn. A send that fails is counted and its events dropped (the alert itself reached its drone);
 * events that find EXPORT_SENDS_IN_FLIGHT sends still out wait in the feed's bounded buffer. Exists
 * only when export is configured (the binding and EVENTS_WEBHOOK_URL): otherwise the region has none
 * and pays one null check per turn.
 */
import type { OpsEvent, RegionOutput } from "../detect/region-outputs.js";
import type { Env } from "../env.js";
import type { ExportEvent } from "../export/export-event.js";
import { ExportFeed, type PositionOf } from "../export/export-feed.js";
import { loadExportSettings } from "../export/export-settings.js";
import { log } from "../log.js";
import { EXPORT_PENDING_MAX, EXPORT_SEND_BATCH_MAX, EXPORT_SENDS_IN_FLIGHT } from "../tunables.js";

export class RegionExport {
  private readonly feed: ExportFeed;
  private inFlight = 0;
  private sent = 0;
  private failed = 0;

  private constructor(
    private readonly ctx: DurableObjectState,
    private readonly queue: Queue<ExportEvent>,
    private readonly region: string,
    positionOf: PositionOf,
  ) {
    this.feed = new ExportFeed(region, positionOf, EXPORT_PENDING_MAX);
  }

  /** The region's exporter, or null when export is not configured. */
  static create(ctx: DurableObjectState, env: Env, region: string, positionOf: PositionOf): RegionExport | null {
    const queue = env.EVENTS as Queue<ExportEvent> | undefined;
    if (!queue || loadExportSettings(env).url === "") return null;
    return new RegionExport(ctx, queue, region, positionOf);
  }

  /** One turn's outputs, whose frames are already out. */
  noteOutputs(outputs: readonly RegionOutput[], nowMs: number): void {
    this.feed.noteOutputs(outputs, nowMs);
    this.flush();
  }

  /** The tick's drone events. */
  noteEvents(events: readonly OpsEvent[]): void {
    if (events.length === 0) return;
    this.feed.noteEvents(events);
    this.flush();
  }

  /** The region's `/ops/stats` counters: events sent to the queue, lost to failed sends, dropped from a full buffer, waiting. */
  stats(): Record<string, number> {
    return { exportSent: this.sent, exportFailed: this.failed, exportDropped: this.feed.dropped, exportPending: this.feed.size };
  }

  private flush(): void {
    while (this.inFlight < EXPORT_SENDS_IN_FLIGHT && this.feed.size > 0) {
      const events = this.feed.take(EXPORT_SEND_BATCH_MAX);
      this.inFlight++;
      let sending: Promise<unknown>;
      try {
        sending = this.queue.sendBatch(events.map((body) => ({ body, contentType: "json" as const })));
      } catch (e) {
        sending = Promise.reject(e);
      }
      const done = sending.then(
        () => {
          this.sent += events.length;
        },
        (e: unknown) => {
          this.failed += events.length;
          log("event export failed", { region: this.region, events: events.length, error: String(e) }, "error");
        },
      );
      this.ctx.waitUntil(
        done.finally(() => {
          this.inFlight--;
          this.flush();
        }),
      );
    }
  }
}
