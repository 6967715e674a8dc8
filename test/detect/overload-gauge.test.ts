import { describe, expect, it } from "vitest";
import { MAX_SHED_LEVEL, OverloadGauge } from "../../src/detect/overload-gauge.js";
import { SHED_CALM_TICKS, SHED_DOWN_MS, SHED_UP_MS } from "../../src/tunables.js";

function second(g: OverloadGauge, waits: number[]) {
  for (const w of waits) g.record(w);
  return g.tick();
}

describe("OverloadGauge", () => {
  it("stays at 0 while batches wait a few ms, and tolerates a slow tenth", () => {
    const g = new OverloadGauge();
    expect(second(g, [2, 3, 5, 4, 8]).level).toBe(0);
    const mostlyFast = [...Array(95).fill(5), ...Array(5).fill(2 * SHED_UP_MS)];
    expect(second(g, mostlyFast)).toMatchObject({ level: 0, changed: false });
  });

  it("raises one level per overloaded second up to the top, and says when it changed", () => {
    const g = new OverloadGauge();
    const slow = Array(20).fill(SHED_UP_MS * 2);
    const levels: number[] = [];
    for (let i = 0; i < MAX_SHED_LEVEL + 2; i++) levels.push(second(g, slow).level);
    expect(levels).toEqual([...Array.from({ length: MAX_SHED_LEVEL }, (_, i) => i + 1), MAX_SHED_LEVEL, MAX_SHED_LEVEL]);
    expect(second(g, slow).changed).toBe(false);
  });

  it("lowers one level after SHED_CALM_TICKS calm seconds; a middling second neither raises nor counts as calm", () => {
    const g = new OverloadGauge();
    second(g, [SHED_UP_MS * 3]);
    second(g, [SHED_UP_MS * 3]);
    expect(g.level).toBe(2);
    const middling = (SHED_UP_MS + SHED_DOWN_MS) / 2;
    for (let i = 0; i < 5; i++) expect(second(g, [middling]).level).toBe(2);
    for (let i = 1; i < SHED_CALM_TICKS; i++) expect(second(g, [1]).changed).toBe(false);
    expect(second(g, [1])).toMatchObject({ level: 1, changed: true });
    for (let i = 1; i < SHED_CALM_TICKS; i++) second(g, []); // no batches at all: calm
    expect(second(g, []).level).toBe(0);
  });
});
