import { describe, expect, it } from "vitest";
import { type SoakRow, soakVerdict } from "../../scripts/soak/verdict.js";

const row = (minute: number, over: Partial<SoakRow> = {}): SoakRow => ({
  minute,
  rssMiB: 200,
  p50Ms: 10,
  p99Ms: 40,
  accepted: 1000,
  applied: 1000,
  shed: 0,
  due: 5,
  alerted: 5,
  loss: null,
  ...over,
});

describe("soak verdict", () => {
  it("passes a steady run", () => {
    expect(soakVerdict(Array.from({ length: 10 }, (_, i) => row(i + 1, { rssMiB: 200 + i }))).ok).toBe(true);
  });

  it("fails on memory that keeps growing past minute 5, a rising p99, a missed conflict or any loss", () => {
    const grow = Array.from({ length: 10 }, (_, i) => row(i + 1, { rssMiB: 200 + 10 * i }));
    expect(soakVerdict(grow).problems.join()).toMatch(/memory grew from 240 MiB \(minute 5\) to 290 MiB/);
    const slow = Array.from({ length: 9 }, (_, i) => row(i + 1, { p99Ms: i < 6 ? 40 : 200 }));
    expect(soakVerdict(slow).problems.join()).toMatch(/p99 rose from 40 ms to 200 ms/);
    expect(soakVerdict([row(1), row(2, { alerted: 4 })]).problems).toEqual(["minute 2: 1 of 5 staged conflicts not alerted"]);
    expect(soakVerdict([row(1), row(2, { loss: "regions applied 990 of 1000 accepted points" })]).ok).toBe(false);
  });
});
