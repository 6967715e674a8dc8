/**
 * Scenario 3, messages into region objects per 1,000 accepted points (a region object pays per message,
 * docs/platform.md). Two workloads, each run on an edge with batching + dedupe on and on one with both off:
 * (a) one relay (the client library's RelayClient) carrying 500 FleetSim drones at 10 Hz (messages/relay.ts);
 * (b) 500 drone sockets at 10 Hz, half of them hovering. The hovering half flies in a region cell of its
 *     own, so that cell's message count is exactly the hovering drones' share (messages/hover.ts).
 * (c) for the safety-aware stretch (STRETCH_MAX_MS): 500 cruising drone sockets at 10 Hz, a few of them
 *     isolated (farther from every other drone than the region's far-verdict radius) in a cell of their
 *     own, the rest in a dense 4 km disc in another cell; run on an edge with the stretch on and one
 *     with it off (messages/stretch.ts).
 * How each is counted: messages/count.ts.
 */
export type { MessageCount } from "./messages/count.js";
export { type HoverCount, hoverMessages } from "./messages/hover.js";
export { relayMessages } from "./messages/relay.js";
export { farRadiusM, type StretchCount, stretchMessages } from "./messages/stretch.js";

/** Batching and near-duplicate filtering off: one message per point, every point forwarded. */
export const OFF_VARS: Record<string, number> = {
  BATCH_WINDOW_MS: 0,
  BATCH_MAX_POINTS: 1,
  DEDUPE_H_M: 0,
  DEDUPE_V_M: 0,
  DEDUPE_SPEED_MPS: 0,
  DEDUPE_REFRESH_MS: 0,
};
