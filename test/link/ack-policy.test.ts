import { describe, expect, it } from "vitest";
import { AckPolicy } from "../../src/link/ack-policy.js";

describe("AckPolicy", () => {
  it("acks a busy link after enough batches and time, never more often, from its second tick", () => {
    const p = new AckPolicy(32, 100);
    const busy = p.newState(0);
    const due: number[] = [];
    // 1,000 batches a second for two seconds, a checkpoint at each second.
    for (let i = 1; i <= 2000; i++) {
      if (p.applied(busy, i)) {
        due.push(i);
        p.acked(busy, i);
      }
      if (i === 1000) p.tick(busy);
    }
    // Nothing was kept for the journal in the first second, so nothing could be acked early then.
    expect(due.every((t) => t > 1000)).toBe(true);
    expect(due.length).toBeGreaterThan(5);
    for (let k = 1; k < due.length; k++) expect(due[k]! - due[k - 1]!).toBeGreaterThanOrEqual(100);
    expect(p.keeps(busy)).toBe(true);
  });

  it("leaves a quiet link to the checkpoint and keeps none of its batches", () => {
    const p = new AckPolicy(32, 100);
    const quiet = p.newState(0);
    // A drone socket: 10 batches a second, for three seconds.
    for (let s = 0; s < 3; s++) {
      for (let i = 0; i < 10; i++) expect(p.applied(quiet, s * 1000 + i * 100)).toBe(false);
      expect(p.keeps(quiet)).toBe(false);
      p.tick(quiet);
    }
  });

  it("stops keeping a link's batches once it turns quiet; a link heard anew starts quiet", () => {
    const p = new AckPolicy(2, 0);
    const l = p.newState(0);
    p.applied(l, 0);
    p.applied(l, 1);
    p.tick(l);
    expect(p.keeps(l)).toBe(true);
    expect(p.applied(l, 2)).toBe(true);
    p.acked(l, 2);
    expect(p.applied(l, 3)).toBe(false); // one batch since the ack
    p.tick(l); // two batches in that tick: still busy
    expect(p.keeps(l)).toBe(true);
    p.tick(l); // none: quiet
    expect(p.keeps(l)).toBe(false);
    const fresh = p.newState(4);
    expect(p.applied(fresh, 4)).toBe(false);
    expect(p.keeps(fresh)).toBe(false);
  });
});
