/**
 * How a region object talks to its gateway links: frames to a link's own hibernatable socket (found
 * again by its tag after hibernation), or, for a link behind an ingest hub, to that hub's socket with
 * the link's address in front (src/wire/hub-protocol.ts); held while the link is away; acks; the far
 * verdicts of the safety-aware stretch. The object's one door to its sockets.
 */
import { HeldFrames } from "../link/held-frames.js";
import { envelopeBinary, envelopeText, joinEnvelopes } from "../wire/hub-protocol.js";
import { encodeControl, type RegionControl } from "../wire/link-protocol.js";
import { linkIdOf } from "./link-socket.js";
import { SHED_RETELL_TICKS } from "../tunables.js";

export class LinkOutbox {
  /** Frames for links that are away, latest per key (see send). */
  private readonly held: HeldFrames<Uint8Array | string>;
  /** Links that were told about far drones at the last tick. */
  private farLinks = new Set<string>();
  /** Gateway links behind an ingest hub: the hub socket's tag. Relearned from every bundle, so hibernation loses nothing lasting. */
  private readonly viaHub = new Map<string, string>();
  /** The shed level last told, and ticks since (see shed). */
  private shedLevel = 0;
  private shedTicks = 0;

  /** `holdMs`: how long a frame waits for its link (the look-ahead: older alerts help nobody). */
  constructor(
    private readonly ctx: DurableObjectState,
    holdMs: number,
  ) {
    this.held = new HeldFrames(holdMs);
  }

  /** A link's socket is (back) up: what was held for it goes first. */
  opened(linkId: string, ws: WebSocket, nowMs: number): void {
    this.viaHub.delete(linkId); // direct now
    for (const frame of this.held.take(linkId, nowMs)) safeSend(ws, frame);
  }

  /**
   * A batch of a link came in hub `hubTag`'s bundle. It takes the link to that hub only when the link
   * has no path here at all (its hub's `open` was lost, say, sent as this object restarted): a late
   * window of a link that has moved on (direct, or to another hub) must not pull its frames back.
   */
  bundled(linkId: string, hubTag: string, nowMs: number): void {
    if (!this.viaHub.has(linkId) && this.ctx.getWebSockets(linkId).length === 0) this.throughHub(linkId, hubTag, nowMs);
  }

  /** A link reached this region through hub socket `hubTag` (its `open`, or a bundle while it had no path). */
  throughHub(linkId: string, hubTag: string, nowMs: number): void {
    if (this.viaHub.get(linkId) === hubTag) return;
    this.viaHub.set(linkId, hubTag);
    for (const frame of this.held.take(linkId, nowMs)) this.deliver(linkId, frame);
  }

  /** A link left its hub (its gateway went away or moved): frames for it are held again. */
  leftHub(linkId: string, hubTag: string): void {
    if (this.viaHub.get(linkId) === hubTag) this.viaHub.delete(linkId);
  }

  /** A hub's socket closed: its links are away until they come back (directly or through a hub). */
  hubClosed(hubTag: string): void {
    for (const [link, tag] of this.viaHub) if (tag === hubTag) this.viaHub.delete(link);
  }

  /**
   * Sends to a link. While the link is away (its gateway is reconnecting after a restart of this
   * object, say), the latest frame per `key` (an alert of a drone, a proximity set) is held and
   * delivered when the link is back: an alert must not vanish in that gap.
   */
  send(linkId: string, data: Uint8Array | string, key: string, nowMs: number): void {
    if (!this.deliver(linkId, data)) this.held.hold(linkId, key, data, nowMs);
  }

  control(linkId: string, m: RegionControl): void {
    this.deliver(linkId, encodeControl(m));
  }

  ack(linkId: string, seq: number): void {
    this.control(linkId, { t: "ack", seq });
  }

  /** Acks of many links, as `controls` sends them. */
  acks(acks: readonly (readonly [linkId: string, seq: number])[]): void {
    this.controls(acks.map(([linkId, seq]): [string, RegionControl] => [linkId, { t: "ack", seq }]));
  }

  /**
   * Control frames for many links: those behind the same hub leave as one message to it
   * (joinEnvelopes), the others one each. A message costs the region about what a batch does, and a
   * checkpoint acks, and a shedding region tells, every single-drone link.
   */
  controls(frames: readonly (readonly [linkId: string, m: RegionControl])[]): void {
    const byHub = new Map<string, [string, string][]>();
    for (const [linkId, m] of frames) {
      const text = encodeControl(m);
      const tag = this.viaHub.get(linkId);
      if (tag === undefined) this.deliver(linkId, text);
      else {
        const same = byHub.get(tag);
        if (same) same.push([linkId, text]);
        else byHub.set(tag, [[linkId, text]]);
      }
    }
    for (const [tag, same] of byHub) {
      const hubs = this.ctx.getWebSockets(tag);
      if (hubs.length === 0) {
        for (const [linkId, text] of same) this.deliver(linkId, text); // the hub is gone: wherever deliver finds the link
        continue;
      }
      const joined = joinEnvelopes(same.map(([linkId, text]) => envelopeText(linkId, text)));
      for (const ws of hubs) safeSend(ws, joined);
    }
  }

  /**
   * Tells each link which of its drones are provably far (src/detect/far-verdict.ts), valid `validMs`.
   * Only links with far drones now, or at the last tick (their verdicts must be withdrawn): an empty
   * message to every link every second would cost a fleet of sockets for nothing.
   */
  far(byLink: Map<string, string[]>, validMs: number): void {
    const links = new Set([...byLink.keys(), ...this.farLinks]);
    this.controls([...links].map((linkId): [string, RegionControl] => [linkId, { t: "far", ids: byLink.get(linkId) ?? [], validMs }]));
    this.farLinks = new Set(byLink.keys());
  }

  /**
   * Once a tick: tells every open link the region's shed level (src/ingest/load-shed.ts) when it changed,
   * and every SHED_RETELL_TICKS ticks while it is above 0, so a link that opened since learns it and a
   * gateway's level lapses (SHED_LEASE_MS) once this object stops repeating it (recovered, restarted).
   */
  shed(level: number): void {
    const due = level !== this.shedLevel || (level > 0 && ++this.shedTicks % SHED_RETELL_TICKS === 0);
    this.shedLevel = level;
    if (due) this.controls([...this.openLinks()].map((linkId): [string, RegionControl] => [linkId, { t: "shed", level }]));
  }

  /** Drops held frames too old to matter (once per tick). */
  expire(nowMs: number): void {
    this.held.expire(nowMs);
  }

  /** Links reachable now, directly or through a hub. */
  openLinks(): Set<string> {
    const open = new Set(this.ctx.getWebSockets().flatMap((ws) => linkIdOf(ws) ?? []));
    for (const link of this.viaHub.keys()) open.add(link);
    return open;
  }

  get sockets(): number {
    return this.ctx.getWebSockets().length;
  }

  /**
   * Sends on the link's latest path: through its hub once it reached this region through one (its old
   * direct socket may linger, closing, after a route switch: a hello sent there would be lost and the
   * link would wait for it forever), else on its own socket; false when it has neither.
   */
  private deliver(linkId: string, data: Uint8Array | string): boolean {
    const tag = this.viaHub.get(linkId);
    const hubs = tag ? this.ctx.getWebSockets(tag) : [];
    if (hubs.length > 0) {
      const wrapped = typeof data === "string" ? envelopeText(linkId, data) : envelopeBinary(linkId, data);
      for (const ws of hubs) safeSend(ws, wrapped);
      return true;
    }
    const direct = this.ctx.getWebSockets(linkId);
    for (const ws of direct) safeSend(ws, data);
    return direct.length > 0;
  }
}

function safeSend(ws: WebSocket, data: Uint8Array | string): void {
  try {
    ws.send(data);
  } catch {
    // The socket closed under us; its gateway will reconnect and resend.
  }
}
