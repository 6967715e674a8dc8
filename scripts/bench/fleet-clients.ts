/**
 * The bench's drone and relay sockets, made, connected and counted alike by the scenarios that fly
 * fleets of them (drone sockets, messages into regions).
 */
import type { BaseClient } from "../../src/client/base.js";
import { DroneClient, type DroneClientOptions } from "../../src/client/drone.js";
import { mintToken } from "../../src/client/token.js";
import { PlainWebSocket } from "./plain-web-socket.js";
import { sleep } from "./processes.js";

/** A drone socket with its own token; no client pings (the scenarios ping once, at the end). */
export async function droneClient(url: string, secret: string, id: string, extra: Partial<DroneClientOptions> = {}): Promise<DroneClient> {
  const c = new DroneClient({
    url,
    droneId: id,
    token: await mintToken(secret, { sub: id, fleet: "bench" }, { ttlS: 86_400 }),
    pingIntervalMs: 0,
    WebSocket: PlainWebSocket,
    ...extra,
  });
  // A socket's failures show in its counters and close codes, which the scenarios report.
  c.on("error", () => {});
  return c;
}

/** Connects in waves of 50, as a fleet coming online would (and as scripts/sim.ts does); each wave within `waveTimeoutMs` if given. */
export async function connectInWaves(clients: readonly BaseClient[], waveTimeoutMs?: number): Promise<void> {
  for (let i = 0; i < clients.length; i += 50) {
    const wave = Promise.all(clients.slice(i, i + 50).map((c) => c.connect()));
    if (waveTimeoutMs === undefined) await wave;
    else
      await Promise.race([
        wave,
        sleep(waveTimeoutMs).then(() => Promise.reject(new Error(`sockets ${i}-${i + 50} not welcomed within ${waveTimeoutMs / 1000} s`))),
      ]);
  }
}

export interface ClientTotals {
  received: number;
  accepted: number;
  deduped: number;
  rateLimited: number;
  rejected: number;
  /** Held back by load shedding, before acceptance (the region's level or the link's backlog): not lost, but a healthy edge sheds none. */
  shed: number;
  lost: number;
}

/** The sessions' counters of `clients`, summed (as of each one's last pong). */
export function clientTotals(clients: readonly BaseClient[]): ClientTotals {
  const sum: ClientTotals = { received: 0, accepted: 0, deduped: 0, rateLimited: 0, rejected: 0, shed: 0, lost: 0 };
  for (const c of clients) {
    const k = c.counters;
    sum.received += k.pointsReceived;
    sum.accepted += k.pointsAccepted;
    sum.deduped += k.pointsDeduped;
    sum.rateLimited += k.pointsRateLimited;
    sum.rejected += k.pointsRejected;
    sum.shed += k.pointsShed;
    sum.lost += k.pointsLost;
  }
  return sum;
}
