// The operators' page in a real browser (Debian's Chromium through playwright-core) against a cold
// local edge (Miniflare, as `npm start` runs it) with a small simulated fleet and staged conflicts:
// a bad ops token is refused (by the page and by the stream), the drones are drawn, a conflict's line
// appears, the charts move, the search reads a track, a reload keeps the token, nothing is fetched from
// another origin until a tile URL is set (then tiles come from it alone), and a screenshot is taken
// (docs/ops-page.png with UPDATE_SCREENSHOT=1).
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Edge } from "../../scripts/bench/edge.js";
import { buildSnapshot, type Snapshot } from "../../scripts/lib/snapshot.js";
import { mintToken, RelayClient } from "../../src/client/index.js";
import { regionCenter, regionOf } from "../../src/geo/regions.js";
import { FleetSim } from "../../src/sim/fleet.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const CHROMIUM = "/usr/bin/chromium";
// The committed screenshot is refreshed on request (UPDATE_SCREENSHOT=1); a plain run writes beside the
// build, so running the tests never dirties the tree.
const SCREENSHOT = process.env.UPDATE_SCREENSHOT ? join(ROOT, "docs/ops-page.png") : join(ROOT, "build/ops-page.png");
const KEY = regionOf(48.8566, 2.3522, 4); // Paris, the simulator's home
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`ops page e2e skipped: ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run does)`);

/** Flies a seeded fleet over one relay in real time until stopped: 16 drones at 5 Hz, two converging pairs early on. */
function flyFleet(url: string, token: string): { stop(): Promise<void> } {
  const relay = new RelayClient({ url, token, pingIntervalMs: 5000 });
  relay.on("error", () => {});
  let timer: ReturnType<typeof setInterval> | undefined;
  const started = relay.connect().then(() => {
    const start = Date.now();
    const sim = new FleetSim({
      drones: 16,
      hz: 5,
      conflicts: 0.25,
      linkDrops: 0,
      seed: 3,
      center: regionCenter(KEY),
      startTimeMs: start,
      conflictWindowMs: [4000, 9000],
    });
    let last = start;
    timer = setInterval(() => {
      const now = Date.now();
      for (const p of sim.step(now - last).points) relay.send(p);
      last = now;
    }, 100);
  });
  return {
    async stop() {
      await started.catch(() => {});
      clearInterval(timer);
      relay.close();
    },
  };
}

/** A tile server on loopback: a 1 × 1 PNG for every path, and the paths asked. */
async function tileServer(): Promise<{ base: string; paths: string[]; stop(): Promise<void> }> {
  const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=", "base64");
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? "");
    res.writeHead(200, { "Content-Type": "image/png", "Content-Length": png.length });
    res.end(png);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, paths, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function waitData(page: Page, selector: string, key: string, pred: (v: number) => boolean, what: string, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = Number(await page.locator(selector).getAttribute(`data-${key}`));
    if (pred(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last ${selector} data-${key} = ${v})`);
    await page.waitForTimeout(200);
  }
}

describe.skipIf(!hasChromium)("the operators' page in Chromium", () => {
  let snap: Snapshot | null = null;
  let edge: Edge | null = null;
  let browser: Browser | null = null;
  let fleet: { stop(): Promise<void> } | null = null;
  const secret = randomBytes(24).toString("hex");

  beforeAll(async () => {
    snap = buildSnapshot(ROOT, "ops-page");
    edge = await Edge.start({ root: ROOT, config: snap.config, secret, label: "ops-page" });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    });
  }, 90_000);

  afterAll(async () => {
    await fleet?.stop();
    await browser?.close();
    await edge?.stop();
    snap?.remove();
  }, 30_000);

  it("refuses a bad token, then shows the fleet live: drones, a conflict line, moving charts, a track, tiles only when named", async () => {
    const e = edge!;
    const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
    const foreign: string[] = [];
    page.on("request", (r) => {
      if (!r.url().startsWith(e.url) && !r.url().startsWith(e.wsUrl) && !r.url().startsWith("data:")) foreign.push(r.url());
    });
    await page.goto(`${e.url}/`);

    // A bad token: the page says so and keeps nothing; the stream refuses the socket too.
    await page.fill("#token", "not-a-token");
    await page.click("#login-form button");
    await page.waitForSelector('#login-error[data-state="refused"]', { timeout: 10_000 });
    expect(await page.textContent("#login-error")).toMatch(/refused/);
    expect(await page.evaluate('sessionStorage.getItem("airspace.opsToken")')).toBeNull();
    // Evaluated in the page (a string: this project has no DOM types).
    const bad = await page.evaluate(`new Promise((resolve) => {
      const ws = new WebSocket("ws://" + location.host + "/v1/ops/stream?region=${KEY}", ["airspace.v1", "bearer.not-a-token"]);
      ws.onopen = () => resolve("opened");
      ws.onclose = () => resolve("refused");
    })`);
    expect(bad).toBe("refused");

    fleet = flyFleet(e.wsUrl, await mintToken(secret, { sub: "ops-e2e-relay", fleet: "e2e", role: "relay" }, { ttlS: 600 }));
    const ops = await mintToken(secret, { sub: "ops-e2e", fleet: "*", role: "ops" }, { ttlS: 600 });
    await page.fill("#token", ops);
    await page.click("#login-form button");
    await page.waitForSelector("#overview:not([hidden])", { timeout: 10_000 });
    expect(await page.evaluate('sessionStorage.getItem("airspace.opsToken")')).toBe(ops);
    // The region reports itself to the directory at its first tick with drones: it shows in the overview.
    await page.waitForSelector(`#regions tr:has-text("${KEY}")`, { timeout: 15_000 });
    await page.click(`#regions tr:has-text("${KEY}")`);
    await page.waitForSelector("#region-view:not([hidden])");

    const drawn = await waitData(page, "#sky", "drones", (v) => v >= 12, "the drones drawn");
    expect(drawn).toBeLessThanOrEqual(16);
    await waitData(page, "#sky", "conflict-lines", (v) => v >= 1, "a staged conflict's line", 25_000);
    expect(await page.locator("#feed li").count()).toBeGreaterThan(0);
    const before = await waitData(page, "#charts", "points", (v) => v >= 1, "a first chart point");
    await waitData(page, "#charts", "points", (v) => v >= before + 2, "the charts moving");
    await page.screenshot({ path: SCREENSHOT });

    // The search box finds a drone and reads its track and alert history: an all-fleets operator names
    // it by its fleet key, as the sky shows it (docs/security.md).
    const track = page.waitForResponse((r) => /\/drones\/e2e%2Fd0000\/track\?since=\d+$/.test(r.url()), { timeout: 10_000 });
    await page.fill("#search", "e2e/d0000");
    await page.press("#search", "Enter");
    await page.waitForSelector('#search-result:has-text("alert rows")', { timeout: 10_000 });
    const trackResp = await track;
    expect(trackResp.status()).toBe(200);
    expect(((await trackResp.json()) as { samples: unknown[] }).samples.length).toBeGreaterThan(0);

    // The search centred the view on the drone: hovering the middle of the sky shows its details.
    const box = (await page.locator("#sky").boundingBox())!;
    await page.mouse.move(box.x + box.width / 2 + 1, box.y + box.height / 2 + 1);
    await page.waitForSelector("#tooltip:not([hidden])", { timeout: 5000 });
    expect(await page.textContent("#tooltip")).toMatch(/^e2e\/d0000 · .+\nalt \S+ m · \S+ m\/s · heading \d+°\nbattery .+ · last seen [\d.]+ s ago$/);

    // The token was typed once: a reload finds it in session storage and goes back to the region.
    await page.reload();
    await page.waitForSelector("#region-view:not([hidden])", { timeout: 10_000 });
    expect(await page.isHidden("#login")).toBe(true);
    await waitData(page, "#sky", "drones", (v) => v >= 12, "the drones drawn after a reload");
    expect(foreign).toEqual([]);

    // Map tiles only once the operator names a tile server, and then from it alone.
    const tiles = await tileServer();
    try {
      await page.click("#back");
      await page.fill("#tile-url", "javascript:{z}{x}{y}");
      await page.click("#tiles-form button");
      await page.waitForSelector('#tiles-note:has-text("{z}, {x} and {y}")');
      await page.fill("#tile-url", `${tiles.base}/tiles/{z}/{x}/{y}.png`);
      await page.click("#tiles-form button");
      await page.waitForSelector('#tiles-note:has-text("Tiles from")');
      await page.click(`#regions tr:has-text("${KEY}")`);
      await waitData(page, "#sky", "tiles", (v) => v >= 1, "a map tile drawn");
      expect(tiles.paths.length).toBeGreaterThan(0);
      for (const path of tiles.paths) expect(path).toMatch(/^\/tiles\/1\d\/\d+\/\d+\.png$/);
      expect(foreign.length).toBeGreaterThan(0);
      expect(foreign.filter((u) => !u.startsWith(`${tiles.base}/tiles/`))).toEqual([]);
    } finally {
      await tiles.stop();
    }
    await page.close();
  }, 60_000);
});
