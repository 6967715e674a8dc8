/**
 * Control messages a region object sends to a gateway link, as JSON text frames (rare and small).
 * Binary frames from the region are ServerFrames for the client and are forwarded unchanged.
 */

export type RegionControl =
  /** On (re)connect: the last batch sequence of this link the region has durably applied. */
  | { t: "hello"; applied: number }
  /** Cumulative: every batch up to `seq` is applied and durable; the gateway may forget them. */
  | { t: "ack"; seq: number }
  /** The link's home drones within 2R of another or in a conflict: flush their points at once. */
  | { t: "proximity"; ids: string[] }
  /** The link's home drones provably far from every other for the next `validMs` (safety-aware stretch may hold them). */
  | { t: "far"; ids: string[]; validMs: number }
  /**
   * The region's inbound messages are past its hub threshold: a single-drone link goes through ingest
   * hub `hash(drone) mod hubs` of this region from now on; 0 means direct again (src/detect/hub-policy.ts).
   */
  | { t: "route"; hubs: number }
  /** The region cannot keep pace: hold back points by this level (src/ingest/load-shed.ts); 0 ends it. */
  | { t: "shed"; level: number };

export function encodeControl(m: RegionControl): string {
  return JSON.stringify(m);
}

/** Parses a control frame; null for anything unexpected (a newer region talking to an older gateway). */
export function parseControl(text: string): RegionControl | null {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof m !== "object" || m === null) return null;
  const o = m as Record<string, unknown>;
  switch (o.t) {
    case "hello":
      return typeof o.applied === "number" ? { t: "hello", applied: o.applied } : null;
    case "ack":
      return typeof o.seq === "number" ? { t: "ack", seq: o.seq } : null;
    case "proximity":
    case "near": // the name before v0.2: a gateway and a region of different builds during a deploy
      return isIdList(o.ids) ? { t: "proximity", ids: o.ids } : null;
    case "far":
      return isIdList(o.ids) && typeof o.validMs === "number" && o.validMs >= 0 ? { t: "far", ids: o.ids, validMs: o.validMs } : null;
    case "route":
      return Number.isInteger(o.hubs) && (o.hubs as number) >= 0 ? { t: "route", hubs: o.hubs as number } : null;
    case "shed":
      return Number.isInteger(o.level) && (o.level as number) >= 0 ? { t: "shed", level: o.level as number } : null;
    default:
      return null;
  }
}

function isIdList(x: unknown): x is string[] {
  return Array.isArray(x) && x.every((i) => typeof i === "string");
}
