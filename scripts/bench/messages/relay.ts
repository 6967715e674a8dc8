/** Scenario 3 (a): one relay (the client library's RelayClient) carrying FleetSim drones at 10 Hz into one cell. */
import { RelayClient } from "../../../src/client/relay.js";
import { mintToken } from "../../../src/client/token.js";
import { regionCenter, regionOf } from "../../../src/geo/regions.js";
import { FleetSim } from "../../../src/sim/fleet.js";
import type { Edge } from "../edge.js";
import { PlainWebSocket } from "../plain-web-socket.js";
import { sleep } from "../processes.js";
import { finish, groupCount, type MessageCount, settle } from "./count.js";
import { HOME, HZ } from "./layout.js";

/** One RelayClient carrying `drones` FleetSim drones at 10 Hz for `durationMs`. */
export async function relayMessages(
  edge: Edge,
  secret: string,
  o: { drones: number; durationMs: number; seed: number; idPrefix: string },
): Promise<MessageCount> {
  const relay = new RelayClient({
    url: edge.wsUrl,
    token: await mintToken(secret, { sub: `${o.idPrefix}relay`, fleet: "bench", role: "relay" }, { ttlS: 86_400 }),
    pingIntervalMs: 0,
    WebSocket: PlainWebSocket,
  });
  relay.on("error", () => {});
  try {
    await relay.connect();
    const regions = [HOME];
    const s0 = await edge.statsOf(regions);
    const start = Date.now();
    const sim = new FleetSim({
      drones: o.drones,
      hz: HZ,
      seed: o.seed,
      center: regionCenter(HOME),
      startTimeMs: start,
      idPrefix: `${o.idPrefix}r`,
      linkDrops: 0,
    });
    let sent = 0;
    let last = start;
    while (Date.now() < start + o.durationMs) {
      await sleep(20);
      const now = Math.min(Date.now(), start + o.durationMs);
      for (const p of sim.step(now - last).points) {
        if (regionOf(p.lat, p.lon, 4) !== HOME) throw new Error("relay fleet left its region");
        relay.send(p);
        sent++;
      }
      last = now;
    }
    const f = await finish([relay]);
    const s1 = await settle(edge, regions, s0, f.accepted);
    return groupCount(sent, f, s0, s1);
  } finally {
    relay.close();
  }
}
