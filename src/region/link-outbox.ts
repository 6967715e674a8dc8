/**
 * How a region object talks to its gateway links: frames to a link's hibernatable socket (found again
 * by its tag after hibernation), held while the link is away, acks, and the far verdicts of the
 * safety-aware stretch. The object's one door to its sockets.
 */
import { HeldFrames } from "../link/held-frames.js";
import { encodeControl } from "../wire/link-protocol.js";
import { linkIdOf } from "./link-socket.js";

export class LinkOutbox {
  /** Frames for links that are away, latest per key (see send). */
  private readonly held: HeldFrames<Uint8Array | string>;
  /** Links that were told about far drones at the last tick. */
  private farLinks = new Set<string>();

  /** `holdMs`: how long a frame waits for its link (the look-ahead: older alerts help nobody). */
  constructor(
    private readonly ctx: DurableObjectState,
    holdMs: number,
  ) {
    this.held = new HeldFrames(holdMs);
  }

  /** A link's socket is (back) up: what was held for it goes first. */
  opened(linkId: string, ws: WebSocket, nowMs: number): void {
    for (const frame of this.held.take(linkId, nowMs)) safeSend(ws, frame);
  }

  /**
   * Sends to a link's socket. While the link is away (its gateway is reconnecting after a restart of
   * this object, say), the latest frame per `key` (an alert of a drone, a proximity set) is held and
   * delivered when the link is back: an alert must not vanish in that gap.
   */
  send(linkId: string, data: Uint8Array | string, key: string, nowMs: number): void {
    const sockets = this.ctx.getWebSockets(linkId);
    if (sockets.length === 0) this.held.hold(linkId, key, data, nowMs);
    else for (const ws of sockets) safeSend(ws, data);
  }

  ack(linkId: string, seq: number): void {
    const frame = encodeControl({ t: "ack", seq });
    for (const ws of this.ctx.getWebSockets(linkId)) safeSend(ws, frame);
  }

  /**
   * Tells each link which of its drones are provably far (src/detect/far-verdict.ts), valid `validMs`.
   * Only links with far drones now, or at the last tick (their verdicts must be withdrawn): an empty
   * message to every link every second would cost a fleet of sockets for nothing.
   */
  far(byLink: Map<string, string[]>, validMs: number): void {
    for (const ws of this.ctx.getWebSockets()) {
      const linkId = linkIdOf(ws);
      if (!linkId) continue;
      const ids = byLink.get(linkId);
      if (ids || this.farLinks.has(linkId)) safeSend(ws, encodeControl({ t: "far", ids: ids ?? [], validMs }));
    }
    this.farLinks = new Set(byLink.keys());
  }

  /** Drops held frames too old to matter (once per tick). */
  expire(nowMs: number): void {
    this.held.expire(nowMs);
  }

  /** Links with a socket now. */
  openLinks(): Set<string> {
    return new Set(this.ctx.getWebSockets().flatMap((ws) => linkIdOf(ws) ?? []));
  }

  get sockets(): number {
    return this.ctx.getWebSockets().length;
  }
}

function safeSend(ws: WebSocket, data: Uint8Array | string): void {
  try {
    ws.send(data);
  } catch {
    // The socket closed under us; its gateway will reconnect and resend.
  }
}
