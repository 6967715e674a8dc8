// What watchers cost the region (docs/operations.md, "The ops stream"): the ops stream's shell over a
// fake state and core (tick and the feed touch no Workers API beyond getWebSockets). Alerts between
// ticks send nothing; each tick sends every watcher exactly one message, however many drones and
// events there are, with the events since the last one inside it; watchers of one fleet share one text.
import { describe, expect, it } from "vitest";
import { loadOptions } from "../../src/config.js";
import type { DroneSnapshot, FleetMetrics, RegionCore, RegionOutput } from "../../src/detect/region-core.js";
import { OpsStream, WATCHER_TAG } from "../../src/region/ops-stream.js";
import { parseOpsFrame } from "../../src/wire/ops-frames.js";
import { alertOut } from "../helpers/alert-out.js";

interface FakeWatcher {
  fleet: string;
  sent: string[];
  send(text: string): void;
  deserializeAttachment(): unknown;
}

function watcher(fleet: string): FakeWatcher {
  const w: FakeWatcher = {
    fleet,
    sent: [],
    send: (text) => w.sent.push(text),
    deserializeAttachment: () => ({ watcher: true, fleet }),
  };
  return w;
}

function drone(droneId: string, k: number): DroneSnapshot {
  return {
    droneId,
    linkId: "l",
    ghost: false,
    timeMs: 1000,
    lastSeenMs: 1000,
    lat: 48.1 + k * 1e-4,
    lon: 11.5,
    altM: 100,
    vn: 1,
    ve: 0,
    vu: 0,
    battery: 80,
    status: "active",
    lowBatterySent: false,
  };
}

describe("ops stream: what watchers cost", () => {
  it("sends each watcher one message a tick, whatever the drones and alerts, built once per fleet", () => {
    const sockets = [...Array.from({ length: 8 }, () => watcher("*")), watcher("acme"), watcher("acme")];
    const tags: string[] = [];
    const ctx = {
      getWebSockets: (tag: string) => {
        tags.push(tag);
        return sockets;
      },
    } as unknown as DurableObjectState;
    const drones = [...Array.from({ length: 1000 }, (_, k) => drone(`acme/d${k}`, k)), ...Array.from({ length: 1000 }, (_, k) => drone(`other/d${k}`, k))];
    const core = { regionKey: "u281", space: { homeDrones: () => drones }, encounters: () => [] } as unknown as RegionCore;
    const ops = new OpsStream(ctx, loadOptions({}));
    const metrics = { active: drones.length, heatmap: [] } as unknown as FleetMetrics;

    // 500 encounters start between two ticks: nothing is sent until the tick.
    const outputs: RegionOutput[] = [];
    for (let k = 0; k < 500; k++)
      outputs.push(alertOut(`acme/d${k}`, `other/d${k}`, `x${k}`, "caution"), alertOut(`other/d${k}`, `acme/d${k}`, `x${k}`, "caution"));
    ops.tick(core, metrics, [], 1000); // the first tick opens the feed (watchers counted)
    for (const s of sockets) s.sent.length = 0;
    ops.noteOutputs(outputs, 1500);
    ops.noteOutputs(outputs.slice(0, 10), 1600);
    expect(sockets.map((s) => s.sent.length)).toEqual(sockets.map(() => 0));

    ops.tick(core, metrics, [{ type: "lost", droneId: "acme/d7", atMs: 1900 }], 2000);
    expect(sockets.map((s) => s.sent.length)).toEqual(sockets.map(() => 1));
    expect(tags.every((t) => t === WATCHER_TAG)).toBe(true);
    const all = parseOpsFrame(sockets[0]!.sent[0]!)!;
    expect(all.drones).toHaveLength(2000);
    // The feed holds at most 200 events a snapshot; the rest are counted, not sent apart.
    expect(all.events.length + all.eventsDropped).toBe(501);
    expect(all.events.length).toBeLessThanOrEqual(200);
    // Every all-fleets watcher gets the one text; a fleet's watchers theirs, with only their drones.
    for (const s of sockets.slice(1, 8)) expect(s.sent[0]).toBe(sockets[0]!.sent[0]);
    expect(sockets[9]!.sent[0]).toBe(sockets[8]!.sent[0]);
    const acme = parseOpsFrame(sockets[8]!.sent[0]!)!;
    expect(acme.drones).toHaveLength(1000);
    expect(acme.drones.every((d) => d[0].startsWith("acme/"))).toBe(true);

    // The next tick: one more each, with nothing left over from the last.
    ops.tick(core, metrics, [], 3000);
    expect(sockets.map((s) => s.sent.length)).toEqual(sockets.map(() => 2));
    const next = parseOpsFrame(sockets[0]!.sent[1]!)!;
    expect(next.events).toEqual([]);
    expect(next.eventsDropped).toBe(0);
  });
});
