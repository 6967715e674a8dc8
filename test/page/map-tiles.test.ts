import { describe, expect, it } from "vitest";
import { LocalView } from "../../src/page/local-view.js";
import { MAX_TILES, parseTileTemplate, tileBounds, tileUrl, tileX, tileY, tileZoom, visibleTiles } from "../../src/page/map-tiles.js";

describe("the page's optional map tiles", () => {
  it("take only an http(s) template with {z}, {x} and {y}", () => {
    expect(parseTileTemplate(" https://tile.example.org/{z}/{x}/{y}.png ")).toBe("https://tile.example.org/{z}/{x}/{y}.png");
    expect(parseTileTemplate("http://127.0.0.1:9000/t/{z}/{y}/{x}")).toBe("http://127.0.0.1:9000/t/{z}/{y}/{x}");
    for (const bad of ["", "https://tile.example.org/{z}/{x}.png", "javascript:{z}{x}{y}", "ftp://h/{z}/{x}/{y}", "{z}/{x}/{y}.png"])
      expect(parseTileTemplate(bad), bad).toBeNull();
    expect(tileUrl("https://t/{z}/{x}/{y}.png", { z: 10, x: 518, y: 352 })).toBe("https://t/10/518/352.png");
  });

  it("number tiles as web maps do, and bound each one", () => {
    // Paris at zoom 10 is OpenStreetMap's tile 10/518/352.
    expect([tileX(2.3522, 10), tileY(48.8566, 10)]).toEqual([518, 352]);
    const b = tileBounds({ z: 10, x: 518, y: 352 });
    expect(b.south).toBeLessThan(48.8566);
    expect(b.north).toBeGreaterThan(48.8566);
    expect(b.west).toBeLessThan(2.3522);
    expect(b.east).toBeGreaterThan(2.3522);
    expect(tileBounds({ z: 0, x: 0, y: 0 })).toMatchObject({ west: -180, east: 180 });
    expect(tileY(89.9, 3)).toBe(0);
    expect(tileY(-89.9, 3)).toBe(7);
  });

  it("pick the zoom whose pixels match the view's scale", () => {
    expect(tileZoom(1, 0)).toBe(17); // 156,543 m/px at z0 on the equator: 2^17.26
    expect(tileZoom(1, 60)).toBe(16); // half the ground per pixel at 60°
    expect(tileZoom(0.001, 48)).toBe(19);
    expect(tileZoom(1e9, 48)).toBe(0);
  });

  it("cover the view with a few tiles placed corner to corner, within half a pixel inside", () => {
    const v = new LocalView();
    v.setCentre(48.8566, 2.3522);
    v.metresPerPx = 2;
    const tiles = visibleTiles(v);
    expect(tiles.length).toBeGreaterThan(0);
    expect(tiles.length).toBeLessThanOrEqual(MAX_TILES);
    expect(new Set(tiles.map((t) => t.z))).toEqual(new Set([tileZoom(2, 48.8566)]));
    const z = tiles[0]!.z;
    for (const [x, y] of [
      [0, 0],
      [v.width, 0],
      [0, v.height],
      [v.width, v.height],
    ]) {
      const p = v.fromPx(x!, y!);
      expect(tiles, `the tile under (${x}, ${y})`).toContainEqual({ z, x: tileX(p.lon, z), y: tileY(p.lat, z) });
    }
    for (const t of tiles) {
      const b = tileBounds(t);
      const nw = v.toPx(b.north, b.west);
      const se = v.toPx(b.south, b.east);
      // A tile's middle row in Mercator lands where the stretched image puts it.
      const mid = tileBounds({ z: t.z + 1, x: 2 * t.x, y: 2 * t.y }).south;
      expect(Math.abs(v.toPx(mid, b.west).y - (nw.y + se.y) / 2)).toBeLessThan(0.5);
    }
    // A huge canvas takes a coarser zoom rather than hundreds of tiles.
    v.width = 8000;
    v.height = 6000;
    const wide = visibleTiles(v);
    expect(wide.length).toBeLessThanOrEqual(MAX_TILES);
    expect(wide[0]!.z).toBeLessThan(z);
  });
});
