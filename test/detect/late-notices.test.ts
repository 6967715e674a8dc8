import { describe, expect, it } from "vitest";
import { LateNotices } from "../../src/detect/late-notices.js";

describe("LateNotices", () => {
  it("gathers a tick's late points into one notice per link, with the worst age and the stale count", () => {
    const n = new LateNotices();
    const name = (l: number) => `link-${l}`;
    n.record(1, name, "a", 1500, false);
    n.record(1, name, "b", 4000, true);
    n.record(2, name, "c", 1200, false);
    n.record(1, name, "a", 2000, false);
    expect(n.take()).toEqual([
      { kind: "stale", linkId: "link-1", droneId: "a", points: 3, stale: 1, maxAgeMs: 4000 },
      { kind: "stale", linkId: "link-2", droneId: "c", points: 1, stale: 0, maxAgeMs: 1200 },
    ]);
    expect(n.take()).toEqual([]); // the next tick starts afresh
  });
});
