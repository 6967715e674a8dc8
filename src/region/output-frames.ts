/**
 * What the region core's outputs look like on a gateway link: the frame to send, and the key under
 * which the latest one is held while the link is away (an alert of a drone, a proximity set, …).
 */
import type { RegionOutput } from "../detect/region-outputs.js";
import { ErrorCode } from "../gen/airspace/v1/airspace_pb.js";
import { encodeControl } from "../wire/link-protocol.js";
import { advisoryFrame, alertFrame, errorFrame } from "../wire/server-frames.js";
import { localDroneId } from "../wire/fleet-key.js";

export function outputFrame(o: RegionOutput, regionKey: string): { data: Uint8Array | string; key: string } {
  switch (o.kind) {
    case "alert":
      return { data: alertFrame(o), key: `alert:${o.alertId}:${o.droneId}` };
    case "advisory":
      return { data: advisoryFrame(o), key: `advisory:${o.droneId}` };
    case "proximity":
      return { data: encodeControl({ t: "proximity", ids: o.droneIds }), key: "proximity" };
    case "stale": {
      const late = `${o.points} report(s) reached region ${regionKey} up to ${Math.round(o.maxAgeMs)} ms after measurement: the edge is behind`;
      const data =
        o.stale > 0
          ? errorFrame(
              ErrorCode.STALE_ON_ARRIVAL,
              `${late}; ${o.stale} past the stale limit, so conflicts of those drones cannot be predicted until fresher reports arrive`,
              localDroneId(o.droneId),
              o.points,
            )
          : errorFrame(ErrorCode.BEHIND, `${late}, so their alerts come late`, localDroneId(o.droneId), o.points);
      return { data, key: "stale" };
    }
  }
}
