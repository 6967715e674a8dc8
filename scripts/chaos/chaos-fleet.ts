/**
 * The simulated part of a chaos run: the seeded fleet (src/sim/fleet.ts, with converging pairs: staged
 * conflicts at known times) and orbiting pairs (src/sim/orbit-pairs.ts: conflicts that last the whole
 * run), one DroneClient per drone, stepped in real time. It records what the verdict needs: when each
 * drone received a conflict alert, which drone was alerted about which, clears sent to drones of a
 * lasting conflict, and the home region of every point sent.
 */
import { DroneClient } from "../../src/client/drone.js";
import { mintToken } from "../../src/client/token.js";
import { DEFAULTS } from "../../src/config.js";
import { regionOf } from "../../src/geo/regions.js";
import { FleetSim, type SimPoint } from "../../src/sim/fleet.js";
import { OrbitPairs } from "../../src/sim/orbit-pairs.js";
import type { SocketTracker } from "./socket-tracker.js";

export interface ChaosFleetOptions {
  url: string;
  secret: string;
  seed: number;
  drones: number;
  orbitPairs: number;
  durationMs: number;
  /** Unix ms of the run's time 0 (the fault plan's origin too). */
  startMs: number;
  /** Where the fleet flies, and where the orbiting pairs circle (one region, whose restarts are timed). */
  fleetCenter: { lat: number; lon: number };
  orbitCenter: { lat: number; lon: number };
  tracker: SocketTracker;
}

const STEP_MS = 100;

export class ChaosFleet {
  readonly sim: FleetSim;
  readonly orbits: OrbitPairs;
  /** Per drone, when it received a caution or warning (Unix ms). */
  readonly alertTimes = new Map<string, number[]>();
  /** "drone>other" for every conflict alert received. */
  readonly alerted = new Set<string>();
  /** Drones of lasting conflicts that were sent a clear. */
  readonly falseClears = new Set<string>();
  readonly homeRegions = new Set<string>();
  private readonly clients = new Map<string, DroneClient>();
  private readonly orbitIds: Set<string>;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly o: ChaosFleetOptions) {
    // Converging pairs meet in the middle of the run, after the warm-up and before the drain.
    const window: [number, number] = [Math.min(8000, o.durationMs / 3), Math.max(8000, o.durationMs - 8000)];
    this.sim = new FleetSim({
      drones: o.drones,
      seed: o.seed,
      conflicts: 0.1,
      linkDrops: 0,
      startTimeMs: o.startMs,
      center: o.fleetCenter,
      conflictWindowMs: window,
    });
    this.orbits = new OrbitPairs({ pairs: o.orbitPairs, center: o.orbitCenter, startTimeMs: o.startMs });
    this.orbitIds = new Set(this.orbits.ids);
  }

  get ids(): string[] {
    return [...this.sim.ids, ...this.orbits.ids];
  }

  /** Staged conflicts: the converging pairs and the orbiting ones. */
  get stagedPairs(): [string, string][] {
    return [...this.sim.truth.map((t) => [t.a, t.b] as [string, string]), ...this.orbits.pairs];
  }

  /** Per converging drone, the window (ms from the start) around its conflict when its socket must stay up. */
  keepUp(): Map<string, [number, number][]> {
    const m = new Map<string, [number, number][]>();
    for (const t of this.sim.truth) for (const id of [t.a, t.b]) m.set(id, [[t.alertFromMs - 2000, t.meetMs + 3000]]);
    return m;
  }

  async connect(): Promise<void> {
    await Promise.all(
      this.ids.map(async (id) => {
        const token = await mintToken(this.o.secret, { sub: id, fleet: "chaos", role: "drone" }, { ttlS: 86_400 });
        const c = new DroneClient({ url: this.o.url, token, droneId: id, WebSocket: this.o.tracker.ctorFor(id), nodeWs: true });
        c.on("error", () => {}); // transport trouble: the client reconnects by itself
        c.on("alert", (a) => {
          if (a.level === "clear" && this.orbitIds.has(id)) this.falseClears.add(id);
          if (a.level !== "caution" && a.level !== "warning") return;
          this.alerted.add(`${id}>${a.otherId}`);
          const times = this.alertTimes.get(id) ?? [];
          times.push(Date.now());
          this.alertTimes.set(id, times);
        });
        this.clients.set(id, c);
        await c.connect();
      }),
    );
  }

  /** Flies until stop(): every STEP_MS, the reports measured since go to their drones' sockets. */
  start(): void {
    let last = this.o.startMs;
    const wait = Math.max(0, this.o.startMs - Date.now());
    setTimeout(() => {
      this.timer = setInterval(() => {
        const now = Date.now();
        const dt = now - last;
        last = now;
        for (const p of [...this.sim.step(dt).points, ...this.orbits.step(dt)]) this.send(p);
      }, STEP_MS);
    }, wait);
  }

  /** Ends the sockets of `ids` right after their queued reports left: the gateway is mid-batch. */
  drop(ids: readonly string[], abrupt: boolean): number {
    let n = 0;
    for (const id of ids) {
      this.clients.get(id)?.flush();
      n += this.o.tracker.drop(id, abrupt);
    }
    return n;
  }

  /** Stops flying, lets the queues drain (bounded), and closes every socket. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const by = Date.now() + 10_000;
    const queued = () => [...this.clients.values()].reduce((s, c) => s + c.stats.queued, 0);
    for (const c of this.clients.values()) c.flush();
    while (queued() > 0 && Date.now() < by) await new Promise((r) => setTimeout(r, 50));
    for (const c of this.clients.values()) c.close();
  }

  private send(p: SimPoint): void {
    this.homeRegions.add(regionOf(p.lat, p.lon, DEFAULTS.regionPrecision));
    this.clients.get(p.droneId)?.send(p);
  }
}
