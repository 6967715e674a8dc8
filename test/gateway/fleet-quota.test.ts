// Per-fleet quotas end to end (issue 11): the fleet's quota object refuses what would take the fleet
// past its drones or regions, across all its sessions; the rest of the fleet, and other fleets, fly on.
// Fleets qd (3 drones), qr (2 regions) and qx (2 drones) get their quotas in vitest.config.ts, and
// leases lapse after 2 s there (FLEET_LEASE_MS).
import { env, runDurableObjectAlarm, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ErrorCode, type ServerFrame } from "../../src/gen/airspace/v1/airspace_pb.js";
import { regionCenter, regionOf } from "../../src/geo/regions.js";
import { PING_BURST } from "../../src/tunables.js";
import { connect, droneAt, eventually, ping, type TestClient, token } from "../helpers/client.js";

/** What fleet `fleet`'s object holds now (an empty claim asks without claiming anything). */
function fleetHolds(fleet: string) {
  return env.FLEET.get(env.FLEET.idFromName(fleet)).claim({ fleet, session: "probe", full: false, drones: [], regions: [] });
}

const quotaErrors = (c: TestClient) => c.frames.flatMap((f) => (f.kind.case === "error" && f.kind.value.code === ErrorCode.QUOTA ? [f.kind.value] : []));
const isQuota = (f: ServerFrame) => f.kind.case === "error" && f.kind.value.code === ErrorCode.QUOTA;

/**
 * Sends `points` and waits until the session has handled them (its pong comes after). Pings are
 * answered PING_BURST at once, then one a second: past the burst, this waits its turn.
 */
let nonce = 1;
const pinged = new WeakMap<TestClient, number[]>();
async function sendHandled(c: TestClient, points: Parameters<TestClient["send"]>[0]): Promise<void> {
  const sent = pinged.get(c) ?? [];
  pinged.set(c, sent);
  if (sent.length >= PING_BURST - 1) await new Promise((r) => setTimeout(r, Math.max(0, sent.at(-1)! + 1100 - Date.now())));
  sent.push(Date.now());
  const n = nonce++;
  c.send(points);
  c.sendRaw(ping(n));
  await c.waitFor((f) => f.kind.case === "pong" && f.kind.value.nonce === BigInt(n), 5000, `pong ${n}`);
}

async function ops(path: string): Promise<Response> {
  return SELF.fetch(`https://airspace.test${path}`, { headers: { Authorization: `Bearer ${await token("ops-q", "ops")}` } });
}

describe("fleet quotas across sessions", () => {
  it("drones past the fleet's quota are refused on every socket of the fleet; drones within it keep their alerts; another fleet is unaffected", async () => {
    // Salzburg's cell: A's a1 and B's b1 head-on 100 m apart (a conflict), a2 and b2 beside them.
    const key = regionOf(47.8, 13.04, 4);
    const { lat, lon } = regionCenter(key);
    const a = await connect(await token("gs-a", "relay", 600, { fleet: "qd" }));
    const b = await connect(await token("gs-b", "relay", 600, { fleet: "qd" }));
    const other = await connect(await token("gs-o", "relay", 600, { fleet: "test" }));
    await Promise.all([a, b, other].map((c) => c.waitFor((f) => f.kind.case === "welcome")));
    const fly = (t: number) => ({
      a: [droneAt("a1", lat, lon, -50, 0, 10, 0, t), droneAt("a2", lat, lon, 0, 400, 0, 0, t)],
      b: [droneAt("b1", lat, lon, 50, 0, -10, 0, t), droneAt("b2", lat, lon, 0, 800, 0, 0, t)],
    });
    await sendHandled(a, fly(Date.now()).a);
    await eventually(async () => (await fleetHolds("qd")).drones === 2, 5000, "qd's object holds a1 and a2");
    // B's b1 is the fleet's third drone; b2 would be the fourth. Both are admitted before the answer…
    await sendHandled(b, fly(Date.now()).b);
    expect(quotaErrors(b)).toEqual([]);
    await eventually(async () => (await fleetHolds("qd")).drones === 3, 5000, "qd at its quota");
    // …and from the answer on, b2 is refused with an error naming the quota, b1 is not.
    for (let i = 0; i < 3; i++) {
      const f = fly(Date.now() + 0);
      await sendHandled(a, f.a);
      await sendHandled(b, f.b);
    }
    const err = quotaErrors(b);
    expect(err.length).toBeGreaterThan(0);
    expect(err.every((e) => e.droneId === "b2")).toBe(true);
    expect(err[0]!.message).toContain("fleet qd is at its quota of 3 drones");
    expect(quotaErrors(a)).toEqual([]);
    // The drones within the quota, one on each socket, are alerted about each other.
    await a.waitFor((f) => f.kind.case === "alert" && f.kind.value.droneId === "a1" && f.kind.value.otherId === "b1", 5000, "a1's alert about b1");
    await b.waitFor((f) => f.kind.case === "alert" && f.kind.value.droneId === "b1" && f.kind.value.otherId === "a1", 5000, "b1's alert about a1");
    // Another fleet names five drones beside them: none refused.
    await sendHandled(
      other,
      [1, 2, 3, 4, 5].map((i) => droneAt(`o${i}`, lat, lon, 0, -300 * i, 0, 0)),
    );
    expect(quotaErrors(other)).toEqual([]);
    // The refusals are counted in the region's pipeline metrics.
    await eventually(
      async () => {
        await runDurableObjectAlarm(env.REGION.get(env.REGION.idFromName(key)));
        const m = (await (await ops(`/v1/regions/${key}/metrics?since=0`)).json()) as { metrics: { metrics: { overQuota?: number } }[] };
        return m.metrics.reduce((s, r) => s + (r.metrics.overQuota ?? 0), 0) > 0;
      },
      8000,
      "overQuota counted in the region",
    );
    // A closes: its leases go back, and b2 fits now (B claims it again at its next renewal).
    a.close();
    await eventually(async () => (await fleetHolds("qd")).drones <= 2, 5000, "A's drones released");
    await eventually(
      async () => {
        const before = quotaErrors(b).length;
        await sendHandled(b, fly(Date.now()).b);
        return quotaErrors(b).length === before;
      },
      6000,
      "b2 admitted once A is gone",
    );
    for (const c of [b, other]) c.close();
    await eventually(async () => (await fleetHolds("qd")).drones === 0, 5000, "every lease of qd given back");
  });

  it("a session that died without a word holds its quota only until its leases lapse; drone tokens count too", async () => {
    const { lat, lon } = regionCenter(regionOf(47.07, 15.44, 4)); // Graz
    // A session that claimed both of qx's drones and was never heard from again.
    const ghost = await env.FLEET.get(env.FLEET.idFromName("qx")).claim({
      fleet: "qx",
      session: "ghost",
      full: false,
      drones: ["qx/x1", "qx/x2"],
      regions: [],
    });
    expect(ghost).toMatchObject({ refusedDrones: [], drones: 2 });
    const d = await connect(await token("x3", "drone", 600, { fleet: "qx" }));
    await d.waitFor((f) => f.kind.case === "welcome");
    await sendHandled(d, [droneAt("x3", lat, lon, 0, 0, 0, 0)]);
    // Refused once the object answered; then, the ghost's leases lapse (2 s) and x3's renewal gets in.
    await eventually(
      async () => {
        await sendHandled(d, [droneAt("x3", lat, lon, 0, 0, 0, 0)]);
        return quotaErrors(d).length > 0;
      },
      5000,
      "x3 refused while the ghost holds qx's quota",
    );
    expect(quotaErrors(d)[0]!.message).toContain("fleet qx is at its quota of 2 drones");
    await eventually(
      async () => {
        const before = quotaErrors(d).length;
        await sendHandled(d, [droneAt("x3", lat, lon, 0, 0, 0, 0)]);
        return quotaErrors(d).length === before && (await fleetHolds("qx")).drones === 1;
      },
      8000,
      "x3 admitted once the ghost's leases lapsed",
    );
    d.close();
    await eventually(async () => (await fleetHolds("qx")).drones === 0, 5000, "x3's lease given back");
  });

  it("regions past the fleet's quota are refused like drones", async () => {
    // Three cells a degree apart: qr may use two of them.
    const cells = [46.0, 47.0, 48.0].map((la) => regionCenter(regionOf(la, 10.0, 4)));
    const r = await connect(await token("gs-r", "relay", 600, { fleet: "qr" }));
    await r.waitFor((f) => f.kind.case === "welcome");
    const at = (i: number) => droneAt(`r${i}`, cells[i]!.lat, cells[i]!.lon, 0, 0, 0, 0);
    await sendHandled(r, [at(0), at(1)]);
    await eventually(async () => (await fleetHolds("qr")).regions === 2, 5000, "qr at its regions quota");
    await sendHandled(r, [at(2)]);
    const refused = await eventually(
      async () => {
        await sendHandled(r, [at(0), at(1), at(2)]);
        return r.frames.find(isQuota);
      },
      5000,
      "r2's region refused",
    );
    expect(refused.kind.case === "error" && refused.kind.value).toMatchObject({ droneId: "r2" });
    expect(refused.kind.case === "error" && refused.kind.value.message).toContain("fleet qr is at its quota of 2 regions");
    // r0 and r1 stay admitted: no QUOTA error names them.
    expect(quotaErrors(r).every((e) => e.droneId === "r2")).toBe(true);
    r.close();
    await eventually(async () => (await fleetHolds("qr")).regions === 0, 5000, "qr's regions given back");
  });
});
