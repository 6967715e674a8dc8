import { describe, expect, it } from "vitest";
import { AckPolicy } from "../../src/pipeline/ack-policy.js";

describe("AckPolicy", () => {
  it("acks a busy link after enough batches and time, never more often", () => {
    const p = new AckPolicy(32, 100);
    const due: number[] = [];
    // 1,000 batches a second for one second.
    for (let i = 1; i <= 1000; i++) {
      if (p.applied("busy", i)) {
        due.push(i);
        p.acked("busy", i);
      }
    }
    expect(due.length).toBeGreaterThan(5);
    for (let k = 1; k < due.length; k++) expect(due[k]! - due[k - 1]!).toBeGreaterThanOrEqual(100);
  });

  it("leaves a quiet link to the checkpoint", () => {
    const p = new AckPolicy(32, 100);
    // A drone socket: 10 batches a second.
    for (let i = 0; i < 10; i++) expect(p.applied("quiet", i * 100)).toBe(false);
  });

  it("starts over after an ack and after forgetting a link", () => {
    const p = new AckPolicy(2, 0);
    expect(p.applied("L", 0)).toBe(false);
    expect(p.applied("L", 1)).toBe(true);
    p.acked("L", 1);
    expect(p.applied("L", 2)).toBe(false);
    p.forget("L");
    expect(p.applied("L", 3)).toBe(false);
  });
});
