import { describe, expect, it } from "vitest";
import { AckPolicy } from "../../src/link/ack-policy.js";

describe("AckPolicy", () => {
  it("acks a busy link after enough batches and time, never more often, from its second tick", () => {
    const p = new AckPolicy(32, 100);
    const due: number[] = [];
    // 1,000 batches a second for two seconds, a checkpoint at each second.
    for (let i = 1; i <= 2000; i++) {
      if (p.applied("busy", i)) {
        due.push(i);
        p.acked("busy", i);
      }
      if (i === 1000) p.tick();
    }
    // Nothing was kept for the journal in the first second, so nothing could be acked early then.
    expect(due.every((t) => t > 1000)).toBe(true);
    expect(due.length).toBeGreaterThan(5);
    for (let k = 1; k < due.length; k++) expect(due[k]! - due[k - 1]!).toBeGreaterThanOrEqual(100);
    expect(p.keeps("busy")).toBe(true);
  });

  it("leaves a quiet link to the checkpoint and keeps none of its batches", () => {
    const p = new AckPolicy(32, 100);
    // A drone socket: 10 batches a second, for three seconds.
    for (let s = 0; s < 3; s++) {
      for (let i = 0; i < 10; i++) expect(p.applied("quiet", s * 1000 + i * 100)).toBe(false);
      expect(p.keeps("quiet")).toBe(false);
      p.tick();
    }
  });

  it("stops keeping a link's batches once it turns quiet, and starts over after forgetting it", () => {
    const p = new AckPolicy(2, 0);
    p.applied("L", 0);
    p.applied("L", 1);
    p.tick();
    expect(p.keeps("L")).toBe(true);
    expect(p.applied("L", 2)).toBe(true);
    p.acked("L", 2);
    expect(p.applied("L", 3)).toBe(false); // one batch since the ack
    p.tick(); // two batches in that tick: still busy
    expect(p.keeps("L")).toBe(true);
    p.tick(); // none: quiet
    expect(p.keeps("L")).toBe(false);
    p.forget("L");
    expect(p.applied("L", 4)).toBe(false);
    expect(p.keeps("L")).toBe(false);
  });
});
