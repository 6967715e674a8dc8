/**
 * How the sky shows a drone, apart from the canvas (no DOM here, so Node tests read it): its colour
 * by state, and the text shown when it is hovered.
 */
import type { DroneState, OpsDrone } from "../wire/ops-frames.js";

export const STATE_COLOURS: Record<DroneState, string> = {
  normal: "#3fb950",
  caution: "#d29922",
  warning: "#f85149",
  lost: "#8b949e",
  low_battery: "#a371f7",
};

/** The hover text: id, state, altitude, speed, heading, battery, last seen. */
export function describeDrone(d: OpsDrone, nowMs: number): string {
  const battery = d[7] >= 0 ? `${d[7]} %` : "unknown";
  const ago = Math.max(0, (nowMs - d[9]) / 1000).toFixed(1);
  return `${d[0]} · ${d[8].replace("_", " ")}\nalt ${d[3]} m · ${d[5]} m/s · heading ${d[4]}°\nbattery ${battery} · last seen ${ago} s ago`;
}
