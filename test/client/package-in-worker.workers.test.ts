// The client package inside a Worker (issue 13): the built entry (`airspace/client`, dist/client, built
// by the workers project's global setup) imported in workerd, two DroneClients connecting to the edge
// (the pool's SELF, the Worker itself) through the `fetcher` option, the way a Worker opens an
// outbound WebSocket, for a connect-send-alert round trip.
import { DroneClient, mintToken, type AlertMessage } from "airspace/client";
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";

const secret = env.AIRSPACE_JWT_SECRET as string;
// Bern: a cell no other workers test flies in.
const LAT = 46.95;
const LON = 7.45;
const M_PER_DEG_LON = 111_320 * Math.cos((LAT * Math.PI) / 180);

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

describe("the client package inside a Worker", () => {
  it("connects two drones through a fetcher, sends their points, and both get the staged conflict's alert", async () => {
    // One presents its token as a header (the default with a fetcher), the other as subprotocols.
    const drones = (["wk-east", "wk-west"] as const).map((id, i) => {
      const c = new DroneClient({
        url: "wss://airspace.test",
        token: () => mintToken(secret, { sub: id, fleet: "test" }),
        fetcher: SELF,
        auth: i === 0 ? "auto" : "protocol",
        pingIntervalMs: 0,
        reconnect: false,
      });
      const alerts: AlertMessage[] = [];
      c.on("alert", (a) => alerts.push(a));
      return { id, c, x0: i === 0 ? -60 : 60, ve: i === 0 ? 10 : -10, alerts };
    });
    const welcomes = await within(Promise.all(drones.map((d) => d.c.connect())), 5000, "both welcomes");
    for (const w of welcomes) {
      expect(w.role).toBe("drone");
      expect(w.sessionId).not.toBe("");
    }

    // Head-on at 20 m/s closing from 120 m apart, level: a conflict within seconds.
    const t0 = Date.now();
    const fly = setInterval(() => {
      const t = (Date.now() - t0) / 1000;
      for (const d of drones) d.c.send({ timeMs: Date.now(), lat: LAT, lon: LON + (d.x0 + d.ve * t) / M_PER_DEG_LON, altM: 120, vn: 0, ve: d.ve, vu: 0 });
    }, 100);
    try {
      await within(
        new Promise<void>((resolve) => {
          const check = () => drones.every((d) => d.alerts.length > 0) && resolve();
          for (const d of drones) d.c.on("alert", check);
        }),
        10_000,
        "an alert on both drones",
      );
    } finally {
      clearInterval(fly);
    }
    expect(drones[0]!.alerts[0]!.otherId).toBe("wk-west");
    expect(drones[1]!.alerts[0]!.otherId).toBe("wk-east");
    for (const d of drones) {
      expect(["caution", "warning"]).toContain(d.alerts[0]!.level);
      expect(d.c.stats.pointsSent).toBeGreaterThan(0);
      // The session's counters, over the same socket: what was sent was accepted.
      const pong = await d.c.ping();
      expect(pong.counters.pointsAccepted).toBeGreaterThan(0);
      expect(pong.counters.pointsRejected).toBe(0);
      expect(pong.counters.alertsDelivered).toBeGreaterThan(0);
      d.c.close();
    }
  });

  it("reports a refused upgrade (a bad token) instead of hanging", async () => {
    const c = new DroneClient({ url: "wss://airspace.test", token: "not-a-jwt", fetcher: SELF, reconnect: false, pingIntervalMs: 0 });
    const errors: unknown[] = [];
    c.on("error", (e) => errors.push(e.error));
    await expect(within(c.connect(), 5000, "the refusal")).rejects.toThrow(/closed before welcome/);
    expect(String(errors[0])).toMatch(/upgrade refused: HTTP 401/);
  });
});
