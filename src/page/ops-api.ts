/**
 * What the page asks the edge, with the operator's ops token: the token check, the region directory,
 * metrics and alert history, a drone's track (Authorization header), and the live stream (the token
 * as a WebSocket subprotocol: browsers cannot set headers on a socket). Same origin only.
 */
import { type OpsSnapshot, parseOpsFrame } from "../wire/ops-frames.js";

export type TokenCheck = { ok: true } | { ok: false; why: string };

/** A region as the directory holds it: its last report (at most a minute old while it has drones). */
export interface RegionRow {
  region: string;
  last_active_ms: number;
  drones: number;
  /** Null from a region that reported before the directory kept them. */
  points_per_s: number | null;
  conflicts: number | null;
}

export interface AlertRow {
  id: number;
  ts_ms: number;
  alert_id: string;
  drone_id: string;
  other_id: string;
  level: string;
  t_entry_s: number | null;
  advisory: string;
}

export interface TrackSample {
  timeMs: number;
  lat: number;
  lon: number;
  altM: number;
}

export class OpsApi {
  constructor(private readonly token: string) {}

  private async get<T>(path: string): Promise<T> {
    const r = await fetch(path, { headers: { Authorization: `Bearer ${this.token}` } });
    if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
    return (await r.json()) as T;
  }

  /** Whether the edge takes the token as an ops token, and why not. */
  async check(): Promise<TokenCheck> {
    try {
      const r = await fetch("/v1/regions", { headers: { Authorization: `Bearer ${this.token}` } });
      if (r.ok) return { ok: true };
      const body = (await r.json().catch(() => ({}))) as { error?: string; detail?: string };
      if (r.status === 403) return { ok: false, why: "this token is not an ops token" };
      return { ok: false, why: `token refused (${r.status}${body.detail ? `: ${body.detail}` : ""})` };
    } catch (e) {
      return { ok: false, why: `the edge did not answer: ${String(e)}` };
    }
  }

  async regions(): Promise<RegionRow[]> {
    return (await this.get<{ regions: RegionRow[] }>("/v1/regions")).regions;
  }

  async metrics(region: string, sinceMs: number, limit = 600): Promise<{ ts_ms: number; metrics: Record<string, number | null> }[]> {
    return (
      await this.get<{ metrics: { ts_ms: number; metrics: Record<string, number | null> }[] }>(
        `/v1/regions/${region}/metrics?since=${Math.floor(sinceMs)}&limit=${limit}`,
      )
    ).metrics;
  }

  async alerts(region: string, q: { sinceMs: number; drone?: string; limit?: number }): Promise<AlertRow[]> {
    const p = new URLSearchParams({ since: String(Math.floor(q.sinceMs)), limit: String(q.limit ?? 200) });
    if (q.drone) p.set("drone", q.drone);
    return (await this.get<{ alerts: AlertRow[] }>(`/v1/regions/${region}/alerts?${p}`)).alerts;
  }

  async track(region: string, drone: string, sinceMs: number): Promise<TrackSample[]> {
    return (await this.get<{ samples: TrackSample[] }>(`/v1/regions/${region}/drones/${encodeURIComponent(drone)}/track?since=${Math.floor(sinceMs)}`)).samples;
  }

  /** The live stream of a region; reconnects with backoff (1 s doubling to 10 s) until `close()`. */
  stream(region: string, onSnapshot: (s: OpsSnapshot) => void, onStatus: (text: string) => void): { close(): void } {
    let ws: WebSocket | null = null;
    let closed = false;
    let delayMs = 1000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const open = () => {
      const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/v1/ops/stream?region=${encodeURIComponent(region)}`;
      ws = new WebSocket(url, ["airspace.v1", `bearer.${this.token}`]);
      ws.onopen = () => {
        delayMs = 1000;
        onStatus("live");
      };
      ws.onmessage = (ev) => {
        const s = parseOpsFrame(ev.data);
        if (s) onSnapshot(s);
      };
      ws.onclose = () => {
        if (closed) return;
        onStatus(`disconnected; retrying in ${delayMs / 1000} s`);
        timer = setTimeout(open, delayMs);
        delayMs = Math.min(10_000, delayMs * 2);
      };
    };
    open();
    return {
      close() {
        closed = true;
        clearTimeout(timer);
        ws?.close(1000, "leaving");
      },
    };
  }
}
