// The region's export shell with a fake queue and state (it touches no Workers API beyond the two):
// not there unless configured, never awaited by the caller, bounded in flight, failures counted.
import { describe, expect, it } from "vitest";
import type { OpsEvent } from "../../src/detect/region-outputs.js";
import type { Env } from "../../src/env.js";
import type { ExportEvent } from "../../src/export/export-event.js";
import { RegionExport } from "../../src/region/event-export.js";
import { EXPORT_SEND_BATCH_MAX, EXPORT_SENDS_IN_FLIGHT } from "../../src/tunables.js";

interface Pending {
  events: ExportEvent[];
  resolve: () => void;
  reject: (e: Error) => void;
}

function fakes() {
  const sends: Pending[] = [];
  const waited: Promise<unknown>[] = [];
  const queue = {
    sendBatch(msgs: { body: ExportEvent }[]) {
      return new Promise<void>((resolve, reject) => sends.push({ events: msgs.map((m) => m.body), resolve, reject }));
    },
  };
  const ctx = { waitUntil: (p: Promise<unknown>) => waited.push(p) } as unknown as DurableObjectState;
  return { sends, waited, queue, ctx };
}

const lost = (n: number, from = 0): OpsEvent[] => Array.from({ length: n }, (_, i) => ({ type: "lost", droneId: `f/d${from + i}`, atMs: 1000 + i }));
const settle = () => new Promise((r) => setTimeout(r, 0));

describe("region event export", () => {
  it("exists only with the queue binding and a webhook URL", () => {
    const { queue, ctx } = fakes();
    const pos = () => null;
    expect(RegionExport.create(ctx, { EVENTS: queue } as unknown as Env, "r", pos)).toBeNull();
    expect(RegionExport.create(ctx, { EVENTS_WEBHOOK_URL: "https://h.example/" } as unknown as Env, "r", pos)).toBeNull();
    expect(RegionExport.create(ctx, { EVENTS: queue, EVENTS_WEBHOOK_URL: "https://h.example/" } as unknown as Env, "r", pos)).not.toBeNull();
  });

  it("sends at once without waiting, 100 a batch, at most EXPORT_SENDS_IN_FLIGHT at a time, and counts what failed", async () => {
    const { sends, waited, queue, ctx } = fakes();
    const ex = RegionExport.create(ctx, { EVENTS: queue, EVENTS_WEBHOOK_URL: "https://h.example/" } as unknown as Env, "r", () => null)!;
    const total = EXPORT_SEND_BATCH_MAX * (EXPORT_SENDS_IN_FLIGHT + 1) + 7;
    ex.noteEvents(lost(total)); // returns before any send settles
    expect(sends.length).toBe(EXPORT_SENDS_IN_FLIGHT);
    expect(sends.every((s) => s.events.length === EXPORT_SEND_BATCH_MAX)).toBe(true);
    expect(ex.stats()).toEqual({ exportSent: 0, exportFailed: 0, exportDropped: 0, exportPending: total - EXPORT_SEND_BATCH_MAX * EXPORT_SENDS_IN_FLIGHT });
    sends[0]!.resolve();
    sends[1]!.reject(new Error("queue unavailable"));
    await settle();
    // The two freed slots take the rest: one full batch and the last 7, in order.
    expect(sends.slice(EXPORT_SENDS_IN_FLIGHT).map((s) => [s.events.length, s.events[0]!.drone])).toEqual([
      [EXPORT_SEND_BATCH_MAX, `d${EXPORT_SEND_BATCH_MAX * EXPORT_SENDS_IN_FLIGHT}`],
      [7, `d${EXPORT_SEND_BATCH_MAX * (EXPORT_SENDS_IN_FLIGHT + 1)}`],
    ]);
    for (const s of sends.slice(2)) s.resolve();
    await Promise.all(waited);
    expect(ex.stats()).toEqual({ exportSent: total - EXPORT_SEND_BATCH_MAX, exportFailed: EXPORT_SEND_BATCH_MAX, exportDropped: 0, exportPending: 0 });
  });

  it("counts a send that throws instead of throwing into the region's turn", async () => {
    const { waited, ctx } = fakes();
    const queue = {
      sendBatch() {
        throw new Error("binding broken");
      },
    };
    const ex = RegionExport.create(ctx, { EVENTS: queue, EVENTS_WEBHOOK_URL: "https://h.example/" } as unknown as Env, "r", () => null)!;
    expect(() => ex.noteEvents(lost(3))).not.toThrow();
    await Promise.all(waited);
    expect(ex.stats()).toMatchObject({ exportSent: 0, exportFailed: 3 });
  });
});
