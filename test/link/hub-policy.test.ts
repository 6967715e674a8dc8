import { describe, expect, it } from "vitest";
import { HubPolicy } from "../../src/link/hub-policy.js";

const opts = { thresholdPerS: 400, perHubPerS: 500, smallBatchPoints: 4, maxHubs: 64, nearHoldMs: 10_000 };
/** The policy's clock: each simulated second ends a tick 1,000 ms later. */
let nowMs = 0;

/** `sockets` single-drone links reporting `hz` times in one second, plus one relay sending big batches. */
function second(p: HubPolicy, sockets: number, hz: number) {
  for (let i = 0; i < sockets; i++) for (let k = 0; k < hz; k++) p.batch(`s${i}`, 1);
  for (let k = 0; k < 20; k++) p.batch("relay", 300);
  nowMs += 1000;
  return p.tick(1000, nowMs);
}

describe("HubPolicy", () => {
  it("keeps a quiet region direct and routes a busy one's single-drone links through K hubs, relays never", () => {
    const p = new HubPolicy(opts);
    expect(second(p, 30, 10)).toEqual({ hubs: 0, tell: [] }); // 300 messages/s
    const busy = second(p, 500, 10); // 5,000 messages/s
    expect(busy.hubs).toBe(10);
    expect(busy.tell.length).toBe(500);
    expect(busy.tell.every(([l, k]) => l !== "relay" && k === 10)).toBe(true);
    expect(second(p, 500, 10).tell).toEqual([]); // told once
    expect(p.routeOf("s7")).toBe(10);
  });

  it("does not flap: grows at once, shrinks below half, goes direct under half the threshold", () => {
    const p = new HubPolicy(opts);
    expect(second(p, 100, 10).hubs).toBe(2); // 1,000/s
    expect(second(p, 70, 10).hubs).toBe(2); // 700/s: K would be 2 anyway
    expect(second(p, 45, 10).hubs).toBe(1); // 450/s: 1 ≤ 2/2
    expect(second(p, 30, 10).hubs).toBe(1); // 300/s: above half the threshold, stays
    const off = second(p, 15, 10); // 150/s
    expect(off.hubs).toBe(0);
    expect(off.tell.every(([, k]) => k === 0)).toBe(true);
  });

  it("obeys a pinned K, and lets the policy decide again when unpinned", () => {
    const p = new HubPolicy(opts);
    p.pin(3);
    expect(second(p, 5, 1).hubs).toBe(3);
    p.pin(null);
    expect(second(p, 5, 1).hubs).toBe(0);
  });
});

describe("HubPolicy and drones in proximity", () => {
  it("takes a link whose drone comes near another off its hub at once, and back only after the hold", () => {
    const p = new HubPolicy(opts);
    second(p, 500, 10);
    expect(p.routeOf("s3")).toBe(10);
    expect(p.proximity("s3", true, nowMs + 100)).toBe(0); // told now, not at the next tick
    expect(p.routeOf("s3")).toBe(0);
    expect(p.proximity("s3", true, nowMs + 200)).toBeNull(); // already direct
    expect(second(p, 500, 10).tell).toEqual([]); // stays direct while near
    expect(p.proximity("s3", false, nowMs)).toBeNull(); // left proximity: the hold starts
    for (let i = 0; i < 9; i++) expect(second(p, 500, 10).tell).toEqual([]);
    expect(second(p, 500, 10).tell).toEqual([["s3", 10]]); // 10 s after: back through its hub
  });

  it("does not flap a drone at the edge of proximity, and ignores links that are direct anyway", () => {
    const p = new HubPolicy(opts);
    second(p, 500, 10);
    expect(p.proximity("s4", true, nowMs)).toBe(0);
    for (let i = 0; i < 20; i++) {
      expect(p.proximity("s4", i % 2 !== 0, nowMs)).toBeNull();
      expect(second(p, 500, 10).tell).toEqual([]);
    }
    expect(p.proximity("relay", true, nowMs)).toBeNull(); // relays are never routed
    const quiet = new HubPolicy(opts);
    second(quiet, 10, 1);
    expect(quiet.proximity("s1", true, nowMs)).toBeNull(); // a quiet region is direct already
  });

  it("keeps a near link direct when it comes back after a silence (its set is not sent again)", () => {
    const p = new HubPolicy(opts);
    second(p, 500, 10);
    p.proximity("s499", true, nowMs);
    second(p, 499, 10); // s499 silent for a tick: forgotten by the route table
    const back = second(p, 500, 10);
    expect(back.tell).toEqual([]); // not sent back to a hub while near (direct is what it was told)
    expect(p.routeOf("s499")).toBe(0);
  });
});

describe("HubPolicy memory", () => {
  it("forgets links it no longer hears from, so a day of sessions does not grow it", () => {
    const p = new HubPolicy(opts);
    for (let i = 0; i < 500; i++) for (let k = 0; k < 10; k++) p.batch(`s${i}`, 1);
    expect(p.tick(1000, 1000).tell.length).toBe(500);
    for (let i = 500; i < 1000; i++) for (let k = 0; k < 10; k++) p.batch(`s${i}`, 1); // the next sessions
    p.tick(1000, 2000);
    expect(p.routeOf("s1")).toBe(0); // forgotten: told again if it ever comes back
    expect(p.routeOf("s700")).toBe(10);
  });
});
