/** A region core's alert output for tests of what consumes them (the ops feed, the event export). */
import type { AlertOut } from "../../src/detect/region-outputs.js";

/** An alert of `droneId` about `otherId` (last seen near London at 990 ms), computed for 1000 ms; a clear has no numbers. */
export function alertOut(droneId: string, otherId: string, alertId: string, level: AlertOut["level"], manoeuvre: AlertOut["manoeuvre"] = "none"): AlertOut {
  const other = { droneId: otherId, timeMs: 990, lat: 51.5, lon: -0.1, altM: 120, vn: 0, ve: 0, vu: 0, battery: -1, seq: -1 };
  const clear = level === "clear";
  return {
    kind: "alert",
    linkId: "l",
    droneId,
    otherId,
    alertId,
    level,
    tEntryS: clear ? Number.NaN : 1.5,
    tCpaS: clear ? Number.NaN : 2.5,
    hsepCpaM: clear ? Number.NaN : 3,
    vsepCpaM: clear ? Number.NaN : 0,
    other,
    computedForMs: 1000,
    manoeuvre,
    otherAgeMs: 0,
  };
}
