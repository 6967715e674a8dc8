/**
 * The operators' page (served by the Worker as a static asset at `/`): the ops token typed once and
 * kept in session storage, an overview of the active regions, and one region live: the sky, the
 * charts and the feed, fed by the region's ops stream (one snapshot a second).
 */
import type { OpsSnapshot } from "../wire/ops-frames.js";
import { EventFeed } from "./event-feed.js";
import { LiveCharts } from "./live-charts.js";
import { parseTileTemplate } from "./map-tiles.js";
import { OpsApi } from "./ops-api.js";
import { SkyCanvas } from "./sky-canvas.js";

const TOKEN_KEY = "airspace.opsToken";
/** The operator's tile URL (not a secret: kept across sessions); unset, no tiles and no other origin. */
const TILES_KEY = "airspace.tileUrl";
const HISTORY_MS = 600_000;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let api: OpsApi | null = null;
let stopRegion: (() => void) | null = null;
let overviewTimer: ReturnType<typeof setInterval> | undefined;

async function login(token: string): Promise<boolean> {
  const candidate = new OpsApi(token);
  const check = await candidate.check();
  const error = $("login-error");
  if (!check.ok) {
    error.textContent = check.why;
    error.dataset.state = "refused";
    sessionStorage.removeItem(TOKEN_KEY);
    return false;
  }
  error.textContent = "";
  error.dataset.state = "ok";
  sessionStorage.setItem(TOKEN_KEY, token);
  api = candidate;
  $("login").hidden = true;
  $("app").hidden = false;
  return true;
}

async function showOverview(): Promise<void> {
  stopRegion?.();
  stopRegion = null;
  $("region-view").hidden = true;
  $("overview").hidden = false;
  history.replaceState(null, "", location.pathname);
  const refresh = async () => {
    if (!api) return;
    const body = $("regions");
    try {
      // Every region from one answer of the directory: what each reported last (at most a minute ago while it has drones).
      const regions = await api.regions();
      const now = Date.now();
      body.replaceChildren(
        ...regions.map((r) => {
          const tr = document.createElement("tr");
          const ago = `${Math.max(0, Math.round((now - r.last_active_ms) / 1000))} s ago`;
          for (const text of [
            r.region,
            String(r.drones),
            r.points_per_s === null ? "-" : r.points_per_s.toFixed(0),
            r.conflicts === null ? "-" : String(r.conflicts),
            ago,
          ]) {
            const td = document.createElement("td");
            td.textContent = text;
            tr.append(td);
          }
          tr.addEventListener("click", () => void openRegion(r.region));
          return tr;
        }),
      );
      $("overview-note").textContent = regions.length === 0 ? "No region has reported drones in the last hour: type a region key above." : "";
    } catch (e) {
      $("overview-note").textContent = `Could not read the directory: ${String(e)}`;
    }
  };
  clearInterval(overviewTimer);
  overviewTimer = setInterval(() => void refresh(), 5000);
  await refresh();
}

async function openRegion(key: string): Promise<void> {
  if (!api || !/^[0-9b-hjkmnp-z]{1,12}$/.test(key)) return;
  const ops = api;
  clearInterval(overviewTimer);
  stopRegion?.();
  $("overview").hidden = true;
  $("region-view").hidden = false;
  $("region-title").textContent = `region ${key}`;
  history.replaceState(null, "", `#region=${key}`);
  const sky = new SkyCanvas($<HTMLCanvasElement>("sky"), $("tooltip"));
  sky.setTiles(localStorage.getItem(TILES_KEY));
  const chartsHost = $("charts");
  chartsHost.replaceChildren();
  const charts = new LiveCharts(chartsHost);
  const feed = new EventFeed($("feed"));
  feed.clear();
  const since = Date.now() - HISTORY_MS;
  const [metrics, alerts] = await Promise.all([ops.metrics(key, since).catch(() => []), ops.alerts(key, { sinceMs: since, limit: 200 }).catch(() => [])]);
  for (const row of metrics) charts.add(row.ts_ms, row.metrics);
  feed.addHistory(alerts);
  let last: OpsSnapshot | null = null;
  const stream = ops.stream(
    key,
    (s) => {
      last = s;
      sky.show(s);
      if (s.metrics) charts.add(s.metrics.atMs ?? s.atMs, s.metrics);
      for (const e of s.events) feed.add(e);
      const dropped = s.eventsDropped > 0 ? ` (${s.eventsDropped} events not shown)` : "";
      $("summary").textContent = `${s.drones.length} drones · ${s.conflicts.length} open conflicts${dropped}`;
    },
    (status) => {
      $("status").textContent = status;
    },
  );
  const refreshTrack = async () => {
    if (sky.selected) sky.setTrack(await ops.track(key, sky.selected, Date.now() - HISTORY_MS).catch(() => []));
  };
  const trackTimer = setInterval(() => void refreshTrack(), 5000);
  const search = $<HTMLInputElement>("search");
  search.value = "";
  search.onchange = () => {
    const id = search.value.trim();
    if (!id) return;
    const d = sky.focus(id);
    $("search-result").textContent = d
      ? `${d[0]}: ${d[8].replace("_", " ")}, ${d[3]} m, ${d[5]} m/s`
      : last
        ? `no drone ${id} in this region`
        : "no snapshot yet";
    if (d) {
      void refreshTrack();
      void ops.alerts(key, { sinceMs: since, drone: d[0], limit: 50 }).then((rows) => {
        $("search-result").textContent += ` · ${rows.length} alert rows in the last 10 min`;
      });
    }
  };
  $("fit").onclick = () => sky.fit();
  stopRegion = () => {
    stream.close();
    clearInterval(trackTimer);
  };
}

function start(): void {
  $<HTMLFormElement>("login-form").addEventListener("submit", (e) => {
    e.preventDefault();
    void login($<HTMLInputElement>("token").value.trim()).then((ok) => ok && route());
  });
  $<HTMLFormElement>("region-form").addEventListener("submit", (e) => {
    e.preventDefault();
    void openRegion($<HTMLInputElement>("region-key").value.trim());
  });
  $("back").addEventListener("click", () => void showOverview());
  const tileInput = $<HTMLInputElement>("tile-url");
  tileInput.value = localStorage.getItem(TILES_KEY) ?? "";
  $<HTMLFormElement>("tiles-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = tileInput.value.trim();
    const template = parseTileTemplate(text);
    if (text !== "" && !template) {
      $("tiles-note").textContent = "A tile URL is http(s) with {z}, {x} and {y}, e.g. https://tiles.example.com/{z}/{x}/{y}.png";
      return;
    }
    if (template) localStorage.setItem(TILES_KEY, template);
    else localStorage.removeItem(TILES_KEY);
    $("tiles-note").textContent = template
      ? `Tiles from ${new URL(template.replace(/\{[xyz]\}/g, "0")).host} (their terms apply).`
      : "No tiles: nothing is asked of any other server.";
  });
  $("logout").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    location.reload();
  });
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) void login(saved).then((ok) => ok && route());
}

function route(): void {
  const m = /region=([0-9b-hjkmnp-z]{1,12})/.exec(location.hash);
  if (m) void openRegion(m[1]!);
  else void showOverview();
}

start();
