/**
 * Draws the operator's map tiles (map-tiles.ts) under the sky: images fetched as the view needs them,
 * kept in a bounded cache, the sky redrawn as each arrives, and the tile server's host named in the
 * corner (tile servers ask for attribution; the operator's own terms apply).
 */
import type { LocalView } from "./local-view.js";
import { tileBounds, tileUrl, visibleTiles } from "./map-tiles.js";

const MAX_CACHED = 256;

export class TileLayer {
  private readonly images = new Map<string, HTMLImageElement>();
  readonly host: string;

  constructor(
    private readonly template: string,
    private readonly onLoad: () => void,
  ) {
    this.host = new URL(template.replace(/\{[xyz]\}/g, "0")).host;
  }

  /** Draws the loaded tiles of the view and asks for the missing ones; returns how many were drawn. */
  draw(ctx: CanvasRenderingContext2D, view: LocalView): number {
    let drawn = 0;
    for (const t of visibleTiles(view)) {
      const url = tileUrl(this.template, t);
      const img = this.image(url);
      if (!img.complete || img.naturalWidth === 0) continue;
      const b = tileBounds(t);
      const nw = view.toPx(b.north, b.west);
      const se = view.toPx(b.south, b.east);
      ctx.drawImage(img, nw.x, nw.y, se.x - nw.x, se.y - nw.y);
      drawn++;
    }
    ctx.font = "11px system-ui, sans-serif";
    const w = ctx.measureText(this.host).width;
    ctx.fillStyle = "rgba(13, 17, 23, 0.7)";
    ctx.fillRect(view.width - w - 16, view.height - 22, w + 8, 18);
    ctx.fillStyle = "#8b949e";
    ctx.fillText(this.host, view.width - w - 12, view.height - 9);
    return drawn;
  }

  private image(url: string): HTMLImageElement {
    let img = this.images.get(url);
    if (img) {
      // Most recently used last: the oldest go first when the cache is full.
      this.images.delete(url);
      this.images.set(url, img);
      return img;
    }
    img = new Image();
    img.onload = () => this.onLoad();
    img.src = url;
    this.images.set(url, img);
    if (this.images.size > MAX_CACHED) this.images.delete(this.images.keys().next().value!);
    return img;
  }
}
