import { describe, expect, it } from "vitest";
import { LocalView, scaleBar } from "../../src/page/local-view.js";

describe("the page's local view", () => {
  it("projects metres about its centre, round-trips pixels, and zooms about the pointer", () => {
    const v = new LocalView();
    v.setCentre(48.8566, 2.3522);
    v.metresPerPx = 2;
    const north100 = v.toPx(48.8566 + 100 / 111_195, 2.3522);
    expect(north100.x).toBeCloseTo(400, 6);
    expect(north100.y).toBeCloseTo(300 - 50, 1);
    const east = v.toMetres(48.8566, 2.3522 + 0.01);
    expect(east.east).toBeCloseTo(731.5, 0); // 0.01° of longitude at 48.86° N
    const back = v.fromPx(123, 456);
    const px = v.toPx(back.lat, back.lon);
    expect(px.x).toBeCloseTo(123, 6);
    expect(px.y).toBeCloseTo(456, 6);
    const under = v.fromPx(100, 100);
    v.zoomAt(100, 100, 2);
    expect(v.metresPerPx).toBe(4);
    const still = v.toPx(under.lat, under.lon);
    expect(still.x).toBeCloseTo(100, 6);
    expect(still.y).toBeCloseTo(100, 6);
  });

  it("fits points with a margin, and a single point to the minimum span", () => {
    const v = new LocalView();
    v.fit([
      { lat: 48.85, lon: 2.35 },
      { lat: 48.87, lon: 2.37 },
    ]);
    for (const p of [v.toPx(48.85, 2.35), v.toPx(48.87, 2.37)]) {
      expect(p.x).toBeGreaterThanOrEqual(0);
      expect(p.x).toBeLessThanOrEqual(v.width);
      expect(p.y).toBeGreaterThanOrEqual(0);
      expect(p.y).toBeLessThanOrEqual(v.height);
    }
    v.fit([{ lat: 1, lon: 1 }], 200);
    expect(v.metresPerPx).toBeCloseTo(200 / (600 * 0.85), 6);
  });

  it("picks a 1-2-5 scale bar that fits", () => {
    expect(scaleBar(1, 160)).toEqual({ metres: 100, px: 100, label: "100 m" });
    expect(scaleBar(10, 160)).toMatchObject({ metres: 1000, label: "1 km" });
    expect(scaleBar(3.2, 160)).toMatchObject({ metres: 500, label: "500 m" });
    expect(scaleBar(0.002, 160)).toMatchObject({ metres: 0.2, label: "20 cm" });
  });
});
