/** What a gateway link (src/gateway/upstream.ts) tells the session that owns it. */
export interface LinkHost {
  /** A ServerFrame (alert, advisory) to forward to the client unchanged. */
  forward(frame: Uint8Array): void;
  /** The region's current set of this link's drones that need immediate flushes. */
  proximity(regionKey: string, ids: string[]): void;
  /** The region's set of this link's drones that are provably far from others, valid for `validMs`. */
  far(regionKey: string, ids: string[], validMs: number): void;
  /** Points lost for good (resend buffer overflow): counted and reported to the client. */
  lost(regionKey: string, points: number): void;
  /** Points sent again after a reconnect (the region drops what it had already applied). */
  resent(regionKey: string, points: number): void;
  /** The region's shed level (src/ingest/load-shed.ts): 0 when it keeps pace. */
  shed(regionKey: string, level: number): void;
  /** How far the link's unacknowledged batches have gone into the resend window (ResendBuffer.fill), after each change. */
  backlog(regionKey: string, fill: number): void;
}
