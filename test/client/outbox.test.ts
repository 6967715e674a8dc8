import { describe, expect, it } from "vitest";
import { Outbox } from "../../src/client/outbox.js";
import type { ClientPoint } from "../../src/client/wire.js";

const p = (droneId: string, timeMs: number): ClientPoint => ({ droneId, timeMs, lat: 0, lon: 0, altM: 0, vn: 0, ve: 0, vu: 0 });

describe("outbox", () => {
  it("drops the oldest beyond its capacity", () => {
    const o = new Outbox(3);
    for (let i = 0; i < 5; i++) o.push(p("a", i), 0);
    expect(o.droppedOverflow).toBe(2);
    expect(o.take(10, 0).map((x) => x.timeMs)).toEqual([2, 3, 4]);
  });

  it("holds only the newest point of a paused drone and releases it when the pause ends", () => {
    const o = new Outbox(100);
    o.push(p("a", 1), 0);
    o.push(p("b", 1), 0);
    o.pause("a", 500);
    o.push(p("a", 2), 10);
    o.push(p("a", 3), 20);
    expect(o.take(10, 100).map((x) => `${x.droneId}${x.timeMs}`)).toEqual(["b1"]);
    expect(o.take(10, 400)).toEqual([]);
    expect(o.take(10, 500).map((x) => `${x.droneId}${x.timeMs}`)).toEqual(["a3"]);
    expect(o.droppedPaused).toBe(2);
    expect(o.size).toBe(0);
  });

  it("pauses everything on a connection-wide notice", () => {
    const o = new Outbox(100);
    o.push(p("a", 1), 0);
    o.pause("", 1000);
    expect(o.take(10, 999)).toEqual([]);
    expect(o.take(10, 1000).length).toBe(1);
  });
});
