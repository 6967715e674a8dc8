import { describe, expect, it } from "vitest";
import { BadFrameWindow } from "../../src/ingest/bad-frames.js";

describe("BadFrameWindow", () => {
  it("passes the limit only with more than `limit` bad frames inside one window", () => {
    const w = new BadFrameWindow(3, 1000);
    expect([0, 100, 200].map((t) => w.record(t))).toEqual([false, false, false]);
    expect(w.record(300)).toBe(true);
  });

  it("forgets bad frames older than the window: a client with an occasional bad frame is never closed", () => {
    const w = new BadFrameWindow(3, 1000);
    for (let t = 0; t < 60_000; t += 400) expect(w.record(t)).toBe(false); // at most 3 in any second
  });
});
