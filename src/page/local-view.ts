/**
 * The page's map: a local metric projection (equirectangular about a centre, exact enough over a
 * region cell of tens of km) from WGS84 to canvas pixels, zoom and pan, fitting a set of points,
 * and the scale bar's length (1, 2 or 5 × 10^n metres). No tiles: nothing leaves for a map server.
 */

const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

export interface Px {
  x: number;
  y: number;
}

export class LocalView {
  centreLat = 0;
  centreLon = 0;
  /** Ground metres per CSS pixel. */
  metresPerPx = 10;
  width = 800;
  height = 600;
  private cosLat = 1;

  setCentre(lat: number, lon: number): void {
    this.centreLat = lat;
    this.centreLon = lon;
    this.cosLat = Math.cos(lat * RAD);
  }

  /** East and north of the centre, metres. */
  toMetres(lat: number, lon: number): { east: number; north: number } {
    return { east: (lon - this.centreLon) * RAD * EARTH_RADIUS_M * this.cosLat, north: (lat - this.centreLat) * RAD * EARTH_RADIUS_M };
  }

  toPx(lat: number, lon: number): Px {
    const m = this.toMetres(lat, lon);
    return { x: this.width / 2 + m.east / this.metresPerPx, y: this.height / 2 - m.north / this.metresPerPx };
  }

  fromPx(x: number, y: number): { lat: number; lon: number } {
    const east = (x - this.width / 2) * this.metresPerPx;
    const north = (this.height / 2 - y) * this.metresPerPx;
    return { lat: this.centreLat + north / EARTH_RADIUS_M / RAD, lon: this.centreLon + east / (EARTH_RADIUS_M * this.cosLat) / RAD };
  }

  /** Zooms by `factor` (> 1 zooms out) keeping the ground under (x, y) where it is. */
  zoomAt(x: number, y: number, factor: number): void {
    const under = this.fromPx(x, y);
    this.metresPerPx = Math.min(50_000, Math.max(0.05, this.metresPerPx * factor));
    // The new centre puts `under` back at (x, y): latitude first, then longitude at the new centre's scale.
    const lat = under.lat - ((this.height / 2 - y) * this.metresPerPx) / EARTH_RADIUS_M / RAD;
    this.setCentre(lat, this.centreLon);
    this.setCentre(lat, under.lon - ((x - this.width / 2) * this.metresPerPx) / (EARTH_RADIUS_M * this.cosLat) / RAD);
  }

  panBy(dx: number, dy: number): void {
    const c = this.fromPx(this.width / 2 - dx, this.height / 2 - dy);
    this.setCentre(c.lat, c.lon);
  }

  /** Centres on the points' bounding box and zooms so it fills the view with a margin (at least `minSpanM` across). */
  fit(points: readonly { lat: number; lon: number }[], minSpanM = 200): void {
    if (points.length === 0) return;
    let s = 90;
    let n = -90;
    let w = 180;
    let e = -180;
    for (const p of points) {
      if (p.lat < s) s = p.lat;
      if (p.lat > n) n = p.lat;
      if (p.lon < w) w = p.lon;
      if (p.lon > e) e = p.lon;
    }
    this.setCentre((s + n) / 2, (w + e) / 2);
    const ne = this.toMetres(n, e);
    const spanX = Math.max(minSpanM, 2 * Math.abs(ne.east));
    const spanY = Math.max(minSpanM, 2 * Math.abs(ne.north));
    this.metresPerPx = Math.max(spanX / (this.width * 0.85), spanY / (this.height * 0.85));
  }
}

/** The scale bar: the longest 1, 2 or 5 × 10^n metres that fits in `maxPx`, and its length in pixels. */
export function scaleBar(metresPerPx: number, maxPx: number): { metres: number; px: number; label: string } {
  const maxM = metresPerPx * maxPx;
  let metres = 10 ** Math.floor(Math.log10(maxM));
  if (metres * 5 <= maxM) metres *= 5;
  else if (metres * 2 <= maxM) metres *= 2;
  const label = metres >= 1000 ? `${metres / 1000} km` : metres >= 1 ? `${metres} m` : `${Math.round(metres * 100)} cm`;
  return { metres, px: metres / metresPerPx, label };
}
