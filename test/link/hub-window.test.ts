import { describe, expect, it } from "vitest";
import { HubWindow } from "../../src/link/hub-window.js";

const b = (n: number) => Uint8Array.of(n);

describe("HubWindow", () => {
  it("gathers batches for one window from the first, then hands them over together", () => {
    const w = new HubWindow(50, 100);
    expect(w.add(b(1), false, 1000)).toBeNull();
    expect(w.add(b(2), false, 1030)).toBeNull();
    expect(w.nextDeadline()).toBe(1050);
    expect(w.due(1049)).toBeNull();
    expect(w.due(1050)).toEqual([b(1), b(2)]);
    expect(w.nextDeadline()).toBe(Infinity);
    expect(w.add(b(3), false, 1200)).toBeNull();
    expect(w.nextDeadline()).toBe(1250); // a new window starts with the next batch
  });

  it("makes the window due at once with an urgent batch (the hub sends it after its queued input), and hands over a full window", () => {
    const w = new HubWindow(50, 3);
    w.add(b(1), false, 0);
    expect(w.due(5)).toBeNull();
    expect(w.add(b(2), true, 5)).toBeNull();
    expect(w.nextDeadline()).toBe(5);
    expect(w.due(5)).toEqual([b(1), b(2)]);
    w.add(b(3), false, 10);
    w.add(b(4), false, 11);
    expect(w.add(b(5), false, 12)).toEqual([b(3), b(4), b(5)]);
    expect(w.size).toBe(0);
  });

  it("keeps the urgent deadline when later batches of the same burst join", () => {
    const w = new HubWindow(50, 100);
    w.add(b(1), true, 100);
    w.add(b(2), false, 100);
    w.add(b(3), true, 101);
    expect(w.nextDeadline()).toBe(100); // never later than the first urgent batch's
    expect(w.due(101)).toEqual([b(1), b(2), b(3)]);
  });
});
