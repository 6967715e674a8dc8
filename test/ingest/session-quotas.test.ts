// SessionCore and its fleet's quotas, in Node: optimistic admission, the refusal that follows a claim,
// the counted rejection and QUOTA error, abuse, and failing open. End to end: test/gateway/fleet-quota.test.ts.
import { describe, expect, it } from "vitest";
import { type ClientPoint, decodeServerFrame, encodeTelemetryFrame } from "../../src/client/wire.js";
import { DEFAULTS, type Options } from "../../src/config.js";
import { fromEnu } from "../../src/geo/enu.js";
import { FleetLeases } from "../../src/ingest/fleet-leases.js";
import { fleetLimits, parseFleetQuotas } from "../../src/ingest/fleet-quotas.js";
import { type SessionBatch, SessionCore, type SessionOutput } from "../../src/ingest/session-core.js";
import { CloseCode } from "../../src/wire/close-codes.js";
import { COUNTER_INDEX } from "../../src/wire/counters.js";

const T0 = 1_795_000_000_000;
const opts: Options = { ...DEFAULTS, relayMaxDrones: 64, fleetLeaseMs: 9000 };
const p = (droneId: string, timeMs: number, northKm = 0): ClientPoint => {
  const q = fromEnu(48.2, 16.37, 0, northKm * 1000);
  return { droneId, timeMs, lat: q.lat, lon: q.lon, altM: 100, vn: 0, ve: 1, vu: 0 };
};
const errors = (o: SessionOutput) => o.toClient.map((f) => decodeServerFrame(f)).filter((m) => m.type === "error");
const homeIds = (bs: SessionBatch[]) => bs.flatMap((b) => b.points.filter((_, i) => b.ghost[i] === 0).map((x) => x.droneId));
const count = (bs: SessionBatch[], name: keyof typeof COUNTER_INDEX) => bs.reduce((n, b) => n + b.counters[COUNTER_INDEX[name]]!, 0);

/** A relay of fleet acme and the fleet's object, the shell's part played by hand. */
function setup(limits = { drones: 2, regions: 5 }) {
  const fleet = new FleetLeases();
  const relay = (sub: string) => new SessionCore({ role: "relay", sub, fleet: "acme" }, opts, T0, limits);
  const pump = (s: SessionCore, id: string, now: number) => {
    const draft = s.fleet.request(now);
    return draft ? s.onFleetReply(fleet.claim({ fleet: "acme", session: id, ...draft }, limits, opts.fleetLeaseMs, now), now) : null;
  };
  return { fleet, relay, pump };
}

describe("SessionCore: fleet quotas", () => {
  it("admits new drones at once; once the fleet refuses one, its points are rejected, counted and named", () => {
    const { relay, pump, fleet } = setup();
    const a = relay("gs-a");
    const b = relay("gs-b");
    a.onFrame(encodeTelemetryFrame([p("d1", T0), p("d2", T0)]), T0);
    pump(a, "a", T0);
    // gs-b names a third drone: admitted before the fleet's answer (its first alert must not wait)…
    const first = b.onFrame(encodeTelemetryFrame([p("d3", T0 + 10)]), T0 + 10);
    expect(errors(first)).toEqual([]);
    pump(b, "b", T0 + 20);
    expect(fleet.drones.size).toBe(2);
    // …and refused from the answer on, while d1 (held by gs-a, now also by gs-b) is fine.
    const o = b.onFrame(encodeTelemetryFrame([p("d3", T0 + 100), p("d3", T0 + 150), p("d1", T0 + 100)]), T0 + 100);
    expect(errors(o)).toMatchObject([{ code: "QUOTA", count: 2, droneId: "d3" }]);
    expect(errors(o)[0]!.message).toContain("fleet acme is at its quota of 2 drones (FLEET_MAX_DRONES");
    const batches = [...first.batches, ...o.batches, ...b.onTimer(T0 + 1000).batches, ...b.drain().batches];
    expect(homeIds(batches)).toEqual(["acme/d3", "acme/d1"]);
    expect(count(batches, "overQuota")).toBe(2);
    expect(count(batches, "rejected")).toBe(2);
    expect(b.totals.pointsRejected).toBe(2);
  });

  it("a region past the fleet's quota is refused like a drone, with the regions' message", () => {
    const { relay, pump } = setup({ drones: 10, regions: 1 });
    const a = relay("gs-a");
    a.onFrame(encodeTelemetryFrame([p("d1", T0)]), T0);
    pump(a, "a", T0);
    const b = relay("gs-b");
    b.onFrame(encodeTelemetryFrame([p("d2", T0, 300)]), T0);
    pump(b, "b", T0);
    const o = b.onFrame(encodeTelemetryFrame([p("d2", T0 + 100, 300), p("d3", T0 + 100)]), T0 + 100);
    expect(errors(o)).toMatchObject([{ code: "QUOTA", count: 1, droneId: "d2" }]);
    expect(errors(o)[0]!.message).toContain("quota of 1 regions (FLEET_MAX_REGIONS");
  });

  it("a client that keeps sending only what the quota refused is closed as abusive", () => {
    const limits = { drones: 1, regions: 5 };
    const s = new SessionCore({ role: "drone", sub: "d9", fleet: "acme" }, opts, T0, limits);
    const fleet = new FleetLeases();
    fleet.claim({ fleet: "acme", session: "other", full: false, drones: ["acme/d1"], regions: [] }, limits, opts.fleetLeaseMs, T0);
    s.onFrame(encodeTelemetryFrame([p("d9", T0)]), T0);
    const draft = s.fleet.request(T0)!;
    s.onFleetReply(fleet.claim({ fleet: "acme", session: "s", ...draft }, limits, opts.fleetLeaseMs, T0), T0);
    let closed: SessionOutput["close"] = null;
    // 20 points a second (its whole rate), every one refused.
    for (let i = 1; i <= 400 && !closed; i++) closed = s.onFrame(encodeTelemetryFrame([p("d9", T0 + i * 50)]), T0 + i * 50).close;
    expect(closed).toEqual({ code: CloseCode.POLICY, reason: "rate limit abuse" });
  });

  it("fails open: an unanswered claim is counted and the session keeps admitting", () => {
    const { relay } = setup();
    const a = relay("gs-a");
    const first = a.onFrame(encodeTelemetryFrame([p("d1", T0), p("d2", T0)]), T0);
    expect(a.fleet.request(T0)).not.toBeNull();
    const o = a.onFleetReply(null, T0 + 5000);
    const more = a.onFrame(encodeTelemetryFrame([p("d1", T0 + 100)]), T0 + 5000);
    const batches = [...first.batches, ...o.batches, ...more.batches, ...a.drain().batches];
    expect(count(batches, "quotaUnchecked")).toBe(1);
    expect(homeIds(batches)).toEqual(["acme/d1", "acme/d2", "acme/d1"]);
  });
});

describe("FLEET_QUOTAS", () => {
  it("gives a fleet its own limits, the rest the options' defaults", () => {
    const t = parseFleetQuotas('{"acme": {"drones": 500, "regions": 8}, "beta": {"regions": 0}}');
    expect(fleetLimits(DEFAULTS, t, "acme")).toEqual({ drones: 500, regions: 8 });
    expect(fleetLimits(DEFAULTS, t, "beta")).toEqual({ drones: DEFAULTS.fleetMaxDrones, regions: 0 });
    expect(fleetLimits(DEFAULTS, parseFleetQuotas(undefined), "x")).toEqual({ drones: 20_000, regions: 1024 });
  });

  it("refuses what it cannot mean, naming the variable", () => {
    for (const bad of ["nope", "[1]", '{"a/b": {}}', '{"acme": {"drones": -1}}', '{"acme": {"drones": 1.5}}', '{"acme": {"planes": 3}}', '{"acme": 4}'])
      expect(() => parseFleetQuotas(bad), bad).toThrow(/FLEET_QUOTAS/);
  });
});
