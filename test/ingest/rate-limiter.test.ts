import { describe, expect, it } from "vitest";
import { DEFAULTS } from "../../src/config.js";
import { ACCEPTED as OK } from "../../src/ingest/outcome.js";
import { ConnectionLimiter, type LimitVerdict } from "../../src/ingest/rate-limiter.js";
import { CloseCode } from "../../src/wire/close-codes.js";
import { ABUSE_FACTOR } from "../../src/tunables.js";

const opts = { ...DEFAULTS };

function kinds(vs: LimitVerdict[]): Record<string, number> {
  const c: Record<string, number> = {};
  for (const v of vs) {
    const k = v.status === "limited" ? `limited:${v.by}` : v.status;
    c[k] = (c[k] ?? 0) + 1;
  }
  return c;
}

describe("ConnectionLimiter: per-drone buckets", () => {
  it("grants the burst, then the rate", () => {
    const l = new ConnectionLimiter(opts, 0);
    const vs: LimitVerdict[] = [];
    for (let i = 0; i < 45; i++) vs.push(l.admitPoint("d1", 0));
    expect(kinds(vs)).toEqual({ accepted: 40, "limited:drone": 5 });
    expect(l.admitPoint("d1", 49)).not.toBe(OK);
    expect(l.admitPoint("d1", 50)).toBe(OK); // 20/s → one token per 50 ms
    expect(l.admitPoint("d2", 50)).toBe(OK); // other drones have their own bucket
  });

  it("bounds the drones tracked, and lets new ones in once idle buckets refill", () => {
    const l = new ConnectionLimiter({ ...opts, relayMaxDrones: 3 }, 0, 3);
    for (const d of ["a", "b", "c"]) expect(l.admitPoint(d, 0)).toBe(OK);
    expect(l.admitPoint("d", 0)).toMatchObject({ status: "limited", by: "drones" });
    expect(l.trackedDrones).toBe(3);
    // One token refills in 50 ms: the buckets of a, b, c are full again and can be forgotten.
    expect(l.admitPoint("d", 100)).toBe(OK);
    expect(l.trackedDrones).toBe(1);
  });

  it("sweeps idle drones on its own", () => {
    const l = new ConnectionLimiter(opts, 0);
    for (let i = 0; i < 100; i++) l.admitPoint(`d${i}`, 0);
    expect(l.trackedDrones).toBe(100);
    l.admitPoint("d0", 10_000);
    expect(l.trackedDrones).toBe(1);
  });
});

describe("ConnectionLimiter: connection buckets", () => {
  it("limits frames per second", () => {
    const l = new ConnectionLimiter(opts, 0);
    const vs: LimitVerdict[] = [];
    for (let i = 0; i < 60; i++) vs.push(l.admitFrame(100, 1, 0));
    expect(kinds(vs)).toEqual({ accepted: 50, "limited:frames": 10 });
    expect(l.admitFrame(100, 1, 20)).toBe(OK);
  });

  it("limits bytes per second, but always admits one largest frame", () => {
    const l = new ConnectionLimiter(opts, 0);
    expect(l.admitFrame(opts.maxFrameBytes, 100, 0)).toBe(OK);
    expect(l.admitFrame(1000, 1, 0)).toMatchObject({ status: "limited", by: "bytes" });
    // 64 KiB/s: 1000 bytes after ~16 ms.
    expect(l.admitFrame(1000, 1, 16)).toBe(OK);
  });

  it("scales a relay's limits by the drones it carries, capped by relayMaxDrones", () => {
    const l = new ConnectionLimiter({ ...opts, relayMaxDrones: 4 }, 0, 10);
    let ok = 0;
    for (let i = 0; i < 1000; i++) if (l.admitFrame(10, 1, 0) === OK) ok++;
    expect(ok).toBe(opts.connFramesPerS * 4);
    l.setDronesCarried(1, 0);
    let later = 0;
    for (let i = 0; i < 1000; i++) if (l.admitFrame(10, 1, 1000) === OK) later++;
    expect(later).toBe(opts.connFramesPerS); // refilled only up to the smaller burst
  });
});

describe("ConnectionLimiter: notices", () => {
  it("sends at most one notice per second, with the dropped count and a retry-after", () => {
    const l = new ConnectionLimiter(opts, 0);
    expect(l.takeNotice(0)).toBeNull();
    for (let i = 0; i < 50; i++) l.admitPoint("d", 0);
    const n1 = l.takeNotice(0);
    expect(n1).toEqual({ dropped: 10, retryAfterMs: 50 });
    for (let i = 0; i < 15; i++) l.admitPoint("d", 500); // 10 tokens refilled: 5 dropped
    expect(l.takeNotice(500)).toBeNull(); // too soon
    expect(l.takeNotice(999)).toBeNull();
    expect(l.takeNotice(1000)).toEqual({ dropped: 5, retryAfterMs: 0 });
    expect(l.takeNotice(3000)).toBeNull(); // nothing dropped since
  });

  it("counts a limited frame's points as dropped", () => {
    const l = new ConnectionLimiter(opts, 0);
    for (let i = 0; i < 50; i++) l.admitFrame(10, 3, 0);
    l.admitFrame(10, 7, 0);
    expect(l.takeNotice(0)).toEqual({ dropped: 7, retryAfterMs: 20 });
  });
});

describe("ConnectionLimiter: abuse", () => {
  /** Offers `perS` frames per second, evenly, for `seconds`; returns the time of the close or null. */
  function flood(l: ConnectionLimiter, perS: number, seconds: number, calmEveryS = 0): number | null {
    for (let s = 0; s < seconds; s++) {
      if (calmEveryS > 0 && s % calmEveryS === calmEveryS - 1) continue; // one quiet second
      for (let i = 0; i < perS; i++) {
        const t = s * 1000 + (i * 1000) / perS;
        const v = l.admitFrame(10, 1, t);
        if (v.status === "closed") {
          expect(v.code).toBe(CloseCode.POLICY);
          return t;
        }
      }
    }
    return null;
  }

  it("closes with 1008 a client above 10× its frame rate for abuseCloseMs", () => {
    const l = new ConnectionLimiter(opts, 0);
    const t = flood(l, opts.connFramesPerS * ABUSE_FACTOR * 1.2, 30);
    expect(t).not.toBeNull();
    expect(t!).toBeGreaterThanOrEqual(opts.abuseCloseMs);
    expect(t!).toBeLessThan(opts.abuseCloseMs + 1000);
  });

  it("never closes a client at 9× its rate, nor one that pauses for a second in every ten", () => {
    expect(flood(new ConnectionLimiter(opts, 0), opts.connFramesPerS * 9, 60)).toBeNull();
    expect(flood(new ConnectionLimiter(opts, 0), opts.connFramesPerS * 12, 60, 9)).toBeNull();
  });

  it("judges points per second too, against the drone rate × drones carried", () => {
    const l = new ConnectionLimiter(opts, 0);
    let closedAt: number | null = null;
    const perS = opts.droneRate * ABUSE_FACTOR * 2;
    for (let s = 0; s < 20 && closedAt === null; s++) {
      for (let i = 0; i < perS; i++) {
        const t = s * 1000 + (i * 1000) / perS;
        if (l.admitPoint("d", t).status === "closed") {
          closedAt = t;
          break;
        }
      }
    }
    expect(closedAt).not.toBeNull();
    expect(closedAt!).toBeGreaterThanOrEqual(opts.abuseCloseMs);
  });
});
