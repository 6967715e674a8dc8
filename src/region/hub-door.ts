/**
 * A region object's side of its ingest hubs: the policy that decides whether its single-drone links go
 * through hubs (src/link/hub-policy.ts) and tells them so at each tick, a hub's announcements (a link
 * now behind it is greeted with its durable floor), and its bundles, whose batches are applied in order
 * under their own gateway links, exactly as if they had come directly (src/region/batch-intake.ts).
 */
import type { Options } from "../config.js";
import { HubPolicy } from "../link/hub-policy.js";
import type { LinkLedger } from "../link/link-ledger.js";
import { log } from "../log.js";
import type { RegionOutput } from "../detect/region-outputs.js";
import { HUB_MAX, HUB_NEAR_HOLD_MS, HUB_SMALL_BATCH_POINTS } from "../tunables.js";
import { CloseCode } from "../wire/close-codes.js";
import type { RegionControl } from "../wire/link-protocol.js";
import { type Bundle, parseHubControl, readBundle } from "../wire/hub-protocol.js";
import type { LinkOutbox } from "./link-outbox.js";

/** Applies the batches of a bundle that came on hub socket `ws` (tag `hub`), in order (src/region/batch-intake.ts). */
export type ApplyBundle = (ws: WebSocket, hub: string, bundle: Bundle) => void;

export class HubDoor {
  private readonly policy: HubPolicy;
  private lastTickMs = 0;
  /** Bundles that could not be read (the hub's socket was closed). */
  badBundles = 0;

  constructor(
    opts: Options,
    private readonly outbox: LinkOutbox,
    private readonly ledger: LinkLedger,
  ) {
    this.policy = new HubPolicy({
      thresholdPerS: opts.hubThresholdPerS,
      perHubPerS: opts.hubMsgsPerS,
      smallBatchPoints: HUB_SMALL_BATCH_POINTS,
      maxHubs: HUB_MAX,
      nearHoldMs: HUB_NEAR_HOLD_MS,
    });
  }

  /** K in force. */
  get hubs(): number {
    return this.policy.current;
  }

  /** A message on hub socket `ws` (tag `hub`): an announcement, or a bundle of its links' batches. */
  message(ws: WebSocket, hub: string, message: ArrayBuffer | string, apply: ApplyBundle, region: string): void {
    if (typeof message === "string") {
      const c = parseHubControl(message);
      if (c?.t === "closed") this.outbox.leftHub(c.link, hub);
      else if (c) {
        this.outbox.throughHub(c.link, hub, Date.now());
        this.outbox.control(c.link, { t: "hello", applied: this.ledger.floor(c.link) });
      }
      return;
    }
    let bundle: Bundle;
    try {
      bundle = readBundle(new Uint8Array(message));
    } catch (e) {
      this.badBundles++;
      log("bad bundle", { region, hub, error: String(e) }, "error");
      ws.close(CloseCode.PROTOCOL, "bad bundle");
      return;
    }
    // Where a link's frames go is set by announcements (the hub's `open` and `closed`, a direct socket's
    // accept); a batch only for a link with no path here (LinkOutbox.bundled): a window flushed after
    // its link moved on must not route the link's alerts back to a hub without it.
    apply(ws, hub, bundle);
  }

  /** A turn's outputs, once sent: a link whose drone came near another leaves its hub now. */
  outputs(outputs: readonly RegionOutput[], nowMs: number): void {
    for (const o of outputs) {
      if (o.kind !== "proximity") continue;
      const route = this.policy.proximity(o.linkId, o.droneIds.length > 0, nowMs);
      if (route !== null) this.outbox.control(o.linkId, { t: "route", hubs: route });
    }
  }

  /** One live batch applied (direct or bundled): what the policy counts. */
  applied(linkId: string, points: number): void {
    this.policy.batch(linkId, points);
  }

  /** Once a tick: tells the links whose route changed. */
  tick(nowMs: number): void {
    const elapsed = this.lastTickMs > 0 ? nowMs - this.lastTickMs : 1000;
    this.lastTickMs = nowMs;
    this.outbox.controls(this.policy.tick(elapsed, nowMs).tell.map(([linkId, hubs]): [string, RegionControl] => [linkId, { t: "route", hubs }]));
  }

  /** An operator pins how many hubs the region's single-drone links use ("auto": the policy decides). */
  pin(value: string | null): Response {
    const k = Number(value);
    if (value === "auto") this.policy.pin(null);
    else if (value !== null && value !== "" && Number.isInteger(k) && k >= 0 && k <= HUB_MAX) this.policy.pin(k);
    else return new Response(`hubs must be "auto" or an integer 0-${HUB_MAX}`, { status: 400 });
    return Response.json({ hubs: value });
  }
}
