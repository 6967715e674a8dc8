/**
 * Draws a region's snapshot on a canvas in the local projection (local-view.ts): the operator's map
 * tiles when a tile URL is set (tile-layer.ts; none otherwise), heatmap cells, the selected drone's track, conflict lines with their time to entry, every drone as a heading arrow
 * coloured by state, and a scale bar. Wheel zooms, drag pans, hovering shows a drone's details.
 */
import type { OpsDrone, OpsSnapshot } from "../wire/ops-frames.js";
import { describeDrone, STATE_COLOURS } from "./drone-label.js";
import { LocalView, scaleBar } from "./local-view.js";
import type { TrackSample } from "./ops-api.js";
import { TileLayer } from "./tile-layer.js";

export class SkyCanvas {
  readonly view = new LocalView();
  private snap: OpsSnapshot | null = null;
  private track: TrackSample[] = [];
  private fitted = false;
  selected: string | null = null;
  private drag: { x: number; y: number } | null = null;
  private tiles: TileLayer | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly tooltip: HTMLElement,
  ) {
    canvas.addEventListener("wheel", (e) => {
      e.preventDefault();
      this.view.zoomAt(e.offsetX, e.offsetY, e.deltaY > 0 ? 1.2 : 1 / 1.2);
      this.draw();
    });
    canvas.addEventListener("mousedown", (e) => {
      this.drag = { x: e.offsetX, y: e.offsetY };
    });
    window.addEventListener("mouseup", () => {
      this.drag = null;
    });
    canvas.addEventListener("mousemove", (e) => {
      if (this.drag) {
        this.view.panBy(e.offsetX - this.drag.x, e.offsetY - this.drag.y);
        this.drag = { x: e.offsetX, y: e.offsetY };
        this.draw();
      }
      this.hover(e.offsetX, e.offsetY);
    });
    canvas.addEventListener("mouseleave", () => {
      this.tooltip.hidden = true;
    });
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  show(s: OpsSnapshot): void {
    this.snap = s;
    if (!this.fitted && s.drones.length > 0) this.fit();
    this.draw();
  }

  /** Map tiles from `template` ({z}/{x}/{y}), or none (null). */
  setTiles(template: string | null): void {
    this.tiles = template ? new TileLayer(template, () => this.draw()) : null;
    this.draw();
  }

  setTrack(samples: TrackSample[]): void {
    this.track = samples;
    this.draw();
  }

  /** Frames every drone. */
  fit(): void {
    const d = this.snap?.drones ?? [];
    if (d.length === 0) return;
    this.fitted = true;
    this.resize();
    this.view.fit(d.map((x) => ({ lat: x[1], lon: x[2] })));
    this.draw();
  }

  /** Centres on a drone and selects it; false when it is not in the snapshot. */
  focus(id: string): OpsDrone | null {
    const d = this.snap?.drones.find((x) => x[0] === id) ?? this.snap?.drones.find((x) => x[0].startsWith(id));
    if (!d) return null;
    this.selected = d[0];
    this.view.setCentre(d[1], d[2]);
    this.view.metresPerPx = Math.min(this.view.metresPerPx, 2);
    this.draw();
    return d;
  }

  private resize(): void {
    const r = this.canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    this.view.width = Math.max(1, r.width);
    this.view.height = Math.max(1, r.height);
    if (this.canvas.width !== Math.round(r.width * dpr)) this.canvas.width = Math.round(r.width * dpr);
    if (this.canvas.height !== Math.round(r.height * dpr)) this.canvas.height = Math.round(r.height * dpr);
    this.canvas.getContext("2d")?.setTransform(dpr, 0, 0, dpr, 0, 0);
  }

  draw(): void {
    const ctx = this.canvas.getContext("2d");
    if (!ctx) return;
    this.resize();
    const v = this.view;
    ctx.fillStyle = "#0d1117";
    ctx.fillRect(0, 0, v.width, v.height);
    const s = this.snap;
    if (!s) return;
    // Only once the view is placed on the fleet: never tiles of the default view's null island.
    const tiles = this.tiles && this.fitted ? this.tiles.draw(ctx, v) : 0;
    this.canvas.dataset.tiles = String(tiles);
    const cellPx = s.heatCellM / v.metresPerPx;
    for (const h of s.heatmap) {
      const p = v.toPx(h.lat, h.lon);
      ctx.fillStyle = `rgba(248, 81, 73, ${Math.min(0.5, 0.08 * h.count)})`;
      ctx.fillRect(p.x - cellPx / 2, p.y - cellPx / 2, cellPx, cellPx);
    }
    this.drawTrack(ctx);
    const at = new Map(s.drones.map((d) => [d[0], d]));
    let lines = 0;
    ctx.font = "12px system-ui, sans-serif";
    for (const c of s.conflicts) {
      const a = at.get(c.a);
      const b = at.get(c.b);
      if (!a || !b) continue;
      const pa = v.toPx(a[1], a[2]);
      const pb = v.toPx(b[1], b[2]);
      ctx.strokeStyle = STATE_COLOURS[c.level];
      ctx.lineWidth = 2;
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      ctx.moveTo(pa.x, pa.y);
      ctx.lineTo(pb.x, pb.y);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = STATE_COLOURS[c.level];
      ctx.fillText(`${c.tEntryS.toFixed(1)} s`, (pa.x + pb.x) / 2 + 6, (pa.y + pb.y) / 2 - 6);
      lines++;
    }
    let drawn = 0;
    for (const d of s.drones) {
      const p = v.toPx(d[1], d[2]);
      if (p.x < -20 || p.y < -20 || p.x > v.width + 20 || p.y > v.height + 20) continue;
      arrow(ctx, p.x, p.y, d[4], STATE_COLOURS[d[8]], d[0] === this.selected);
      drawn++;
    }
    this.drawScale(ctx);
    // For people and tests alike: what the last frame holds.
    this.canvas.dataset.drones = String(drawn);
    this.canvas.dataset.conflictLines = String(lines);
  }

  private drawTrack(ctx: CanvasRenderingContext2D): void {
    if (!this.selected || this.track.length < 2) return;
    ctx.strokeStyle = "rgba(88, 166, 255, 0.8)";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    this.track.forEach((t, i) => {
      const p = this.view.toPx(t.lat, t.lon);
      if (i === 0) ctx.moveTo(p.x, p.y);
      else ctx.lineTo(p.x, p.y);
    });
    ctx.stroke();
  }

  private drawScale(ctx: CanvasRenderingContext2D): void {
    const bar = scaleBar(this.view.metresPerPx, 160);
    const x = 16;
    const y = this.view.height - 18;
    ctx.strokeStyle = "#e6edf3";
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x, y - 5);
    ctx.lineTo(x, y);
    ctx.lineTo(x + bar.px, y);
    ctx.lineTo(x + bar.px, y - 5);
    ctx.stroke();
    ctx.fillStyle = "#e6edf3";
    ctx.fillText(bar.label, x + 4, y - 8);
  }

  private hover(x: number, y: number): void {
    const s = this.snap;
    let best: OpsDrone | null = null;
    let bestD2 = 12 * 12;
    for (const d of s?.drones ?? []) {
      const p = this.view.toPx(d[1], d[2]);
      const d2 = (p.x - x) ** 2 + (p.y - y) ** 2;
      if (d2 < bestD2) {
        bestD2 = d2;
        best = d;
      }
    }
    if (!best || !s) {
      this.tooltip.hidden = true;
      return;
    }
    this.tooltip.hidden = false;
    this.tooltip.style.left = `${x + 14}px`;
    this.tooltip.style.top = `${y + 14}px`;
    this.tooltip.textContent = describeDrone(best, s.atMs);
  }
}

function arrow(ctx: CanvasRenderingContext2D, x: number, y: number, headingDeg: number, colour: string, selected: boolean): void {
  ctx.save();
  ctx.translate(x, y);
  ctx.rotate((headingDeg * Math.PI) / 180);
  ctx.fillStyle = colour;
  ctx.beginPath();
  ctx.moveTo(0, -9);
  ctx.lineTo(6, 7);
  ctx.lineTo(0, 3);
  ctx.lineTo(-6, 7);
  ctx.closePath();
  ctx.fill();
  if (selected) {
    ctx.strokeStyle = "#58a6ff";
    ctx.lineWidth = 2;
    ctx.stroke();
  }
  ctx.restore();
}
