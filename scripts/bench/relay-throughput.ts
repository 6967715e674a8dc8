/**
 * Scenario 1, relay throughput: the highest offered rate (points/s) that an edge sustains with zero
 * loss, found by doubling then bisecting on the offered rate. Each probe sends pre-encoded frames over
 * a few relay sockets for a fixed time, then checks that the sessions accepted every point, the region
 * objects applied every accepted point, and both finished within a short drain after the last send.
 * Run against the real edge and the bare-transport edge with identical sockets, drones and frames.
 */
import { mintToken } from "../../src/client/token.js";
import type { ClientPoint } from "../../src/client/wire.js";
import { fromEnu } from "../../src/geo/enu.js";
import { haloRegions, regionCenter, regionOf } from "../../src/geo/regions.js";
import { Rng } from "../../src/sim/prng.js";
import type { Edge } from "./edge.js";
import { sleep } from "./processes.js";
import { patchableFrame, patchBaseTime, type PatchableFrame } from "./frames.js";
import { RawRelay } from "./raw-socket.js";
import { searchMaxRate } from "./stats.js";

/** Limits lifted for throughput runs: the question is what the pipeline can carry, not the policy. */
export function throughputVars(drones: number): Record<string, string | number> {
  return {
    DRONE_RATE: 10_000,
    DRONE_BURST: 100_000,
    CONN_FRAMES_PER_S: 1_000_000,
    CONN_BYTES_PER_S: 1e10,
    RELAY_MAX_DRONES: Math.max(2000, drones),
    // The resend buffer keeps its default (4 MiB): batches it gives up while they are in flight count
    // as lost only if the region turns out not to have them (src/gateway/upstream.ts).
  };
}

export interface ThroughputOptions {
  drones: number;
  relays: number;
  framePoints: number;
  probeMs: number;
  /** First offered rate, and the highest tried. */
  startRate: number;
  maxRate: number;
  refine: number;
  maxProbes: number;
  seed: number;
  log: (line: string) => void;
}

export interface ProbeResult {
  rate: number;
  ok: boolean;
  sent: number;
  accepted: number;
  regionPoints: number;
  regionBatches: number;
  lost: number;
  rateLimited: number;
  deduped: number;
  rejected: number;
  /** Achieved send rate, points/s. */
  sendRate: number;
  /** Last send → every session answered its pong / every accepted point applied, ms. */
  pongDrainMs: number;
  regionDrainMs: number;
  cpuUsPerPoint: number;
  why: string;
}

export interface ThroughputResult {
  best: number;
  bestProbe: ProbeResult | null;
  probes: ProbeResult[];
  region: string;
}

/** Grid spacing of the throughput load, m: > R + 2 × 15 m/s × T = 165 m, so no pair is ever in conflict. */
const SPACING_M = 170;

/** The load: `drones` drones on a grid at the centre of one region cell (no halo ghosts). */
export class RelayLoad {
  readonly region: string;
  readonly frames: PatchableFrame[][] = []; // [group][phase]
  readonly groups: number;
  readonly phases = 8;
  private readonly lastBase: number[];
  frameIndex = 0;

  constructor(readonly o: Pick<ThroughputOptions, "drones" | "framePoints" | "seed" | "relays">) {
    const home = regionOf(48.8566, 2.3522, 4);
    const { lat: lat0, lon: lon0 } = regionCenter(home);
    this.region = home;
    const rng = new Rng(o.seed, 77);
    // A square grid, SPACING_M apart, random headings: no pair can come within R in T (so no alerts and
    // no proximity flushes; scenario 2 measures those), yet every point is predicted against its
    // neighbours, as the region must for any real fleet.
    const side = Math.ceil(Math.sqrt(o.drones));
    const drones = Array.from({ length: o.drones }, (_, i) => {
      const speed = rng.range(8, 15);
      const tr = rng.range(0, 2 * Math.PI);
      const e = ((i % side) - (side - 1) / 2) * SPACING_M;
      const n = (Math.floor(i / side) - (side - 1) / 2) * SPACING_M;
      return { id: `t${i.toString(36)}`, e, n, alt: rng.range(40, 120), ve: speed * Math.sin(tr), vn: speed * Math.cos(tr) };
    });
    this.groups = Math.ceil(o.drones / o.framePoints);
    const base = 1_700_000_000_000;
    for (let g = 0; g < this.groups; g++) {
      const row: PatchableFrame[] = [];
      const members = drones.slice(g * o.framePoints, (g + 1) * o.framePoints);
      for (let k = 0; k < this.phases; k++) {
        // Each phase moves every drone 0.1 s along its velocity (≥ 0.8 m: never a near-duplicate).
        const pts: ClientPoint[] = members.map((d) => {
          const p = fromEnu(lat0, lon0, d.e + d.ve * 0.1 * k, d.n + d.vn * 0.1 * k);
          if (regionOf(p.lat, p.lon, 4) !== home || haloRegions(p.lat, p.lon, 4, 1015, []).length > 0) throw new Error("throughput load leaves its region");
          return { droneId: d.id, timeMs: base, lat: p.lat, lon: p.lon, altM: d.alt, vn: d.vn, ve: d.ve, vu: 0, battery: 80 };
        });
        row.push(patchableFrame(pts, base));
      }
      this.frames.push(row);
    }
    this.lastBase = new Array(this.groups).fill(0);
  }

  /** The next frame in round-robin order, stamped now (strictly increasing per drone), and its relay. */
  next(nowMs: number): { bytes: Uint8Array; relay: number; points: number } {
    const i = this.frameIndex++;
    const g = i % this.groups;
    const k = Math.floor(i / this.groups) % this.phases;
    const f = this.frames[g]![k]!;
    const t = Math.max(nowMs, this.lastBase[g]! + 1);
    this.lastBase[g] = t;
    patchBaseTime(f.bytes, f.offset, t, f.length);
    return { bytes: f.bytes, relay: g % this.o.relays, points: f.points };
  }
}

export async function runRelayThroughput(edge: Edge, secret: string, o: ThroughputOptions, load: RelayLoad): Promise<ThroughputResult> {
  const relays: RawRelay[] = [];
  try {
    for (let i = 0; i < o.relays; i++) {
      const r = new RawRelay(edge.wsUrl, await mintToken(secret, { sub: `bench-relay-${i}`, fleet: "bench", role: "relay" }, { ttlS: 86_400 }));
      await r.connect();
      relays.push(r);
    }
    const probes: ProbeResult[] = [];
    const search = await searchMaxRate(
      async (rate) => {
        const p = await probe(edge, relays, load, rate, o);
        probes.push(p);
        o.log(
          `  ${rate.toLocaleString("en-US")} pts/s offered: ${p.ok ? "ok" : `FAIL (${p.why})`}; sent ${p.sent}, accepted ${p.accepted}, applied ${p.regionPoints}, drain ${Math.round(Math.max(p.pongDrainMs, p.regionDrainMs))} ms, ${p.cpuUsPerPoint.toFixed(2)} µs CPU/pt`,
        );
        // An overloaded edge still has a backlog in its socket buffers: let it drain before the next probe.
        if (!p.ok) await Promise.all(relays.map((r) => r.ping(60_000)));
        await sleep(300);
        return p.ok;
      },
      { start: o.startRate, max: o.maxRate, refine: o.refine, maxProbes: o.maxProbes },
    );
    const passing = probes.filter((p) => p.ok && p.rate === search.best);
    return { best: search.best, bestProbe: passing.at(-1) ?? null, probes, region: load.region };
  } finally {
    for (const r of relays) r.close();
  }
}

async function probe(edge: Edge, relays: RawRelay[], load: RelayLoad, rate: number, o: ThroughputOptions): Promise<ProbeResult> {
  const before = await Promise.all(relays.map((r) => r.ping()));
  const s0 = await edge.regionStats(load.region);
  const cpu0 = edge.cpuMicros();
  const perFrame = o.framePoints;
  const totalFrames = Math.max(1, Math.round((rate * o.probeMs) / 1000 / perFrame));
  let sentFrames = 0;
  let sent = 0;
  let maxBuffered = 0;
  const t0 = performance.now();
  // Paced sending: at elapsed t, `rate × t` points should be out. Timers at ~1 ms granularity.
  while (sentFrames < totalFrames) {
    const due = Math.min(totalFrames, Math.floor(((performance.now() - t0) * rate) / 1000 / perFrame) + 1);
    while (sentFrames < due) {
      const f = load.next(Date.now());
      relays[f.relay]!.send(f.bytes);
      sent += f.points;
      sentFrames++;
    }
    for (const r of relays) maxBuffered = Math.max(maxBuffered, r.bufferedAmount);
    if (sentFrames < totalFrames) await sleep(1);
  }
  const sendEnd = performance.now();
  const sendRate = (sent * 1000) / Math.max(1, sendEnd - t0);
  let why = "";
  let after = before;
  try {
    after = await Promise.all(relays.map((r) => r.ping(Math.max(10_000, o.probeMs * 3))));
  } catch (e) {
    why = String(e);
  }
  const pongDrainMs = performance.now() - sendEnd;
  const delta = (k: keyof (typeof before)[number]) => after.reduce((s, c, i) => s + c[k] - before[i]![k], 0);
  const accepted = delta("pointsAccepted");
  // Wait for the region to apply what the sessions accepted (batches leave within the 50 ms window).
  let s1 = await edge.regionStats(load.region);
  const limit = sendEnd + Math.max(3000, o.probeMs);
  while (s1.points - s0.points < accepted && performance.now() < limit) {
    await sleep(50);
    s1 = await edge.regionStats(load.region);
  }
  const regionDrainMs = performance.now() - sendEnd;
  const cpu1 = edge.cpuMicros();
  const regionPoints = s1.points - s0.points;
  const r: ProbeResult = {
    rate,
    ok: false,
    sent,
    accepted,
    regionPoints,
    regionBatches: s1.batches - s0.batches,
    lost: delta("pointsLost"),
    rateLimited: delta("pointsRateLimited"),
    deduped: delta("pointsDeduped"),
    rejected: delta("pointsRejected"),
    sendRate,
    pongDrainMs,
    regionDrainMs,
    cpuUsPerPoint: (cpu1 - cpu0) / Math.max(1, regionPoints),
    why,
  };
  // Sustained: the edge finishes within 10 % of the probe (plus 300 ms of pipeline latency) after the
  // last send; anything slower is a backlog growing in socket buffers, not a rate it can keep.
  const allowedDrainMs = 300 + 0.1 * o.probeMs;
  if (!why) {
    if (accepted !== sent) why = `accepted ${accepted} of ${sent} (rate-limited ${r.rateLimited}, deduped ${r.deduped}, rejected ${r.rejected})`;
    else if (r.lost > 0) why = `${r.lost} points reported lost`;
    else if (regionPoints !== accepted) why = `region applied ${regionPoints} of ${accepted}`;
    else if (sendRate < 0.95 * rate) why = `sender reached only ${Math.round(sendRate)} pts/s`;
    else if (Math.max(pongDrainMs, regionDrainMs) > allowedDrainMs)
      why = `drain ${Math.round(Math.max(pongDrainMs, regionDrainMs))} ms > ${Math.round(allowedDrainMs)} ms`;
  }
  r.ok = why === "";
  r.why = why || (maxBuffered > 0 ? `max ${maxBuffered} B buffered` : "");
  return r;
}
