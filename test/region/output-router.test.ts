// The router over a fake outbox and audit (it touches no Workers API): every frame of a turn goes to
// its link before anything watching the outputs (the ops feed, the event export) sees them, so neither
// can delay an alert to a drone, and a turn without outputs wakes no observer.
import { describe, expect, it } from "vitest";
import type { RegionOutput } from "../../src/detect/region-outputs.js";
import type { AlertAudit } from "../../src/region/alert-audit.js";
import type { LinkOutbox } from "../../src/region/link-outbox.js";
import { OutputRouter } from "../../src/region/output-router.js";
import { alertOut } from "../helpers/alert-out.js";

describe("output router", () => {
  it("sends every frame of a turn before its observer sees the outputs", () => {
    const order: string[] = [];
    const outbox = { send: (linkId: string, _data: unknown, key: string) => order.push(`send ${linkId} ${key}`) } as unknown as LinkOutbox;
    const audit = { record: () => null } as unknown as AlertAudit;
    const seen: number[] = [];
    const router = new OutputRouter("u281", outbox, audit, (outputs) => {
      order.push("observe");
      seen.push(outputs.length);
    });
    const advisory: RegionOutput = { kind: "advisory", linkId: "l2", droneId: "f/c", advisory: "low_battery_rth", message: "Battery at 12%", timeMs: 0 };
    router.route([alertOut("f/a", "f/b", "x", "caution"), { ...alertOut("f/b", "f/a", "x", "caution"), linkId: "l2" }, advisory], "", 1000);
    expect(order).toEqual(["send l alert:x:f/a", "send l2 alert:x:f/b", "send l2 advisory:f/c", "observe"]);
    expect(seen).toEqual([3]);
    router.route([], "", 2000);
    expect(seen).toEqual([3]);
  });
});
