import { describe, expect, it } from "vitest";
import { CredentialClock } from "../../src/ingest/credential-clock.js";
import type { SessionPrincipal } from "../../src/ingest/session-output.js";

const p: SessionPrincipal = { role: "relay", sub: "gs-1", fleet: "acme", exp: 1000, drones: ["a"], prefix: null };

describe("CredentialClock", () => {
  it("expires at exp, and a renewal for the same principal moves the deadline", () => {
    const c = new CredentialClock(p);
    expect(c.deadlineMs).toBe(1_000_000);
    expect(c.expired(999_999)).toBe(false);
    expect(c.expired(1_000_000)).toBe(true);
    expect(c.request()).toBe(true);
    expect(c.request()).toBe(false); // one at a time
    expect(c.settle({ ...p, exp: 2000 })).toEqual({ ok: true, expiresAtMs: 2_000_000 });
    expect(c.expired(1_500_000)).toBe(false);
  });

  it("refuses a renewal for another subject, role, fleet or scope, one that expires no later, or a failed verification", () => {
    const c = new CredentialClock(p);
    for (const other of [{ sub: "x" }, { role: "drone" as const }, { fleet: "other" }, { drones: ["a", "b"] }, { prefix: "a" }, { exp: 1000 }]) {
      c.request();
      expect(c.settle({ ...p, exp: 2000, ...other }), JSON.stringify(other)).toMatchObject({ ok: false });
    }
    c.request();
    expect(c.settle("token revoked")).toEqual({ ok: false, message: "renewal refused: token revoked" });
    expect(c.deadlineMs).toBe(1_000_000);
  });

  it("never expires without an exp (tools and tests)", () => {
    expect(new CredentialClock({ role: "drone", sub: "d", fleet: "f" }).deadlineMs).toBe(Number.POSITIVE_INFINITY);
  });
});
