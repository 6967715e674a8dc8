// SessionCore against the attacks of issue 11, in Node: fleets, the region cap, counting only admitted
// points, expiry and renewal. The workers tests (test/gateway/security.test.ts) replay them end to end.
import { describe, expect, it } from "vitest";
import { type ClientPoint, decodeServerFrame, encodeTelemetryFrame } from "../../src/client/wire.js";
import { DEFAULTS, type Options } from "../../src/config.js";
import { fromEnu } from "../../src/geo/enu.js";
import { regionOf } from "../../src/geo/regions.js";
import { SessionCore, type SessionOutput, type SessionPrincipal } from "../../src/ingest/session-core.js";
import { CloseCode } from "../../src/wire/close-codes.js";
import { COUNTER_INDEX } from "../../src/wire/counters.js";

const T0 = 1_795_000_000_000;
const opts: Options = { ...DEFAULTS, relayMaxDrones: 64 };
const p = (droneId: string, timeMs: number, eastKm = 0, northKm = 0): ClientPoint => {
  const q = fromEnu(48.2, 16.37, eastKm * 1000, northKm * 1000);
  return { droneId, timeMs, lat: q.lat, lon: q.lon, altM: 100, vn: 0, ve: 1, vu: 0 };
};
const messages = (o: SessionOutput) => o.toClient.map((f) => decodeServerFrame(f));
const drain = (s: SessionCore, at: number) => [...s.onTimer(at).batches, ...s.drain().batches];

function session(principal: Partial<SessionPrincipal> = {}, o: Options = opts): SessionCore {
  return new SessionCore({ role: "relay", sub: "gs-1", fleet: "acme", ...principal }, o, T0);
}

describe("SessionCore: fleets", () => {
  it("keys every drone by the token's fleet, and a relay's allow-list and prefix refuse the rest", () => {
    const s = session({ drones: ["a-1", "a-2"], prefix: "a-" });
    const o = s.onFrame(encodeTelemetryFrame([p("a-1", T0), p("b-1", T0), p("a-3", T0)]), T0);
    const errors = messages(o).filter((m) => m.type === "error");
    expect(errors).toMatchObject([{ code: "WRONG_DRONE", count: 2, droneId: "b-1" }]);
    const ids = drain(s, T0 + 100).flatMap((b) => b.points.map((x) => x.droneId));
    expect(ids).toEqual(["acme/a-1"]);
  });

  it("a drone token writes only its own id, under its fleet", () => {
    const s = new SessionCore({ role: "drone", sub: "d-1", fleet: "acme" }, opts, T0);
    s.onFrame(encodeTelemetryFrame([p("d-1", T0), p("d-2", T0 + 1)]), T0);
    expect(drain(s, T0 + 100).flatMap((b) => b.points.map((x) => x.droneId))).toEqual(["acme/d-1"]);
  });
});

describe("SessionCore: plausibility", () => {
  it("rejects a jump faster than MAX_SPEED_MPS as INVALID_POINT, counted rejected and implausible; the next good point passes", () => {
    const s = new SessionCore({ role: "drone", sub: "d-1", fleet: "acme" }, opts, T0);
    s.onFrame(encodeTelemetryFrame([p("d-1", T0)]), T0);
    const o = s.onFrame(encodeTelemetryFrame([p("d-1", T0 + 1000, 5)]), T0 + 1000); // 5 km in a second
    expect(messages(o).filter((m) => m.type === "error")).toMatchObject([
      { code: "INVALID_POINT", droneId: "d-1", message: expect.stringMatching(/faster than/) },
    ]);
    s.onFrame(encodeTelemetryFrame([p("d-1", T0 + 2000, 0.01)]), T0 + 2000);
    const batches = [...o.batches, ...drain(s, T0 + 3000)];
    const count = (name: keyof typeof COUNTER_INDEX) => batches.reduce((n, b) => n + b.counters[COUNTER_INDEX[name]]!, 0);
    expect(count("implausible")).toBe(1);
    expect(count("rejected")).toBe(1);
    expect(s.totals.pointsAccepted).toBe(2);
  });
});

describe("SessionCore: only admitted points reach regions (issue 11, finding 2)", () => {
  it("rate-limited points of a drone never make a batch for a region of their own", () => {
    const s = new SessionCore({ role: "drone", sub: "d-1", fleet: "acme" }, opts, T0);
    // The burst at home, then ten points far away in ten other cells, all over the rate.
    const out = [s.onFrame(encodeTelemetryFrame(Array.from({ length: 40 }, (_, i) => p("d-1", T0 + i, i * 0.001))), T0)];
    const far = Array.from({ length: 10 }, (_, i) => p("d-1", T0 + 100 + i, 100 * (i + 1), 100 * (i + 1)));
    out.push(s.onFrame(encodeTelemetryFrame(far), T0 + 100));
    const home = regionOf(48.2, 16.37, 4);
    const regions = new Set([...out.flatMap((o) => o.batches), ...drain(s, T0 + 5000)].map((b) => b.regionKey));
    expect([...regions]).toEqual([home]);
  });

  it("caps the regions a session sends to, and frees a region once its link is closed", () => {
    const s = session({}, { ...opts, relayMaxRegions: 3 });
    // Five drones in five cells 100 km apart.
    const o = s.onFrame(encodeTelemetryFrame(Array.from({ length: 5 }, (_, i) => p(`r-${i}`, T0, 0, 100 * i))), T0);
    expect(messages(o).filter((m) => m.type === "error")).toMatchObject([{ code: "LIMIT", count: 2 }]);
    const sent = new Set(s.onTimer(T0 + 100).batches.map((b) => b.regionKey));
    expect(sent.size).toBe(3);
    s.onLinkClosed([...sent][0]!);
    const o2 = s.onFrame(encodeTelemetryFrame([p("r-4", T0 + 200, 0, 400)]), T0 + 200);
    expect(messages(o2)).toEqual([]);
    const q = p("r-4", 0, 0, 400);
    expect([...o2.batches, ...s.onTimer(T0 + 300).batches].map((b) => b.regionKey)).toEqual([regionOf(q.lat, q.lon, 4)]);
  });
});

describe("SessionCore: credentials over time", () => {
  const exp = T0 / 1000 + 60;

  it("closes with 4001 at exp unless renewed", () => {
    const s = new SessionCore({ role: "drone", sub: "d-1", fleet: "acme", exp }, opts, T0);
    expect(s.nextDeadline()).toBe(exp * 1000);
    expect(s.onTimer(exp * 1000 - 1).close).toBeNull();
    const o = s.onTimer(exp * 1000);
    expect(o.close).toEqual({ code: CloseCode.TOKEN_EXPIRED, reason: "token expired" });
    expect(messages(o)).toMatchObject([{ type: "error", code: "AUTH" }]);
  });

  it("a renewal moves the close to the new exp; a refused one leaves the old exp in force", () => {
    const principal: SessionPrincipal = { role: "drone", sub: "d-1", fleet: "acme", exp };
    const s = new SessionCore(principal, opts, T0);
    const renew = Uint8Array.from([0x2a, 0x03, 0x0a, 0x01, 0x78]); // ClientFrame.renew { token: "x" }
    expect(s.onFrame(renew, T0).renew).toBe("x");
    expect(messages(s.onRenewal({ ...principal, exp: exp + 600 }, T0 + 10))).toMatchObject([{ type: "renewed", expiresAtMs: (exp + 600) * 1000 }]);
    expect(s.onTimer(exp * 1000).close).toBeNull();
    expect(s.onFrame(renew, T0 + 20).renew).toBe("x");
    expect(messages(s.onRenewal({ ...principal, sub: "d-2", exp: exp + 1200 }, T0 + 30))).toMatchObject([{ type: "error", code: "AUTH" }]);
    expect(s.onTimer((exp + 600) * 1000).close?.code).toBe(CloseCode.TOKEN_EXPIRED);
  });
});
