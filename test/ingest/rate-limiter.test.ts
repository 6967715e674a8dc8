import { describe, expect, it } from "vitest";
import { DEFAULTS } from "../../src/config.js";
import { ACCEPTED as OK } from "../../src/ingest/outcome.js";
import { ConnectionLimiter, type LimitVerdict } from "../../src/ingest/rate-limiter.js";
import { CloseCode } from "../../src/wire/close-codes.js";
import { ABUSE_FACTOR, PING_BURST, PING_RATE_PER_S } from "../../src/tunables.js";

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
    for (let i = 0; i < 60; i++) vs.push(l.admitFrame(100, 0));
    expect(kinds(vs)).toEqual({ accepted: 50, "limited:frames": 10 });
    expect(l.admitFrame(100, 20)).toBe(OK);
  });

  it("limits bytes per second, but always admits one largest frame", () => {
    const l = new ConnectionLimiter(opts, 0);
    expect(l.admitFrame(opts.maxFrameBytes, 0)).toBe(OK);
    expect(l.admitFrame(1000, 0)).toMatchObject({ status: "limited", by: "bytes" });
    // 64 KiB/s: 1000 bytes after ~16 ms.
    expect(l.admitFrame(1000, 16)).toBe(OK);
  });

  it("scales a relay's limits by the drones it carries, capped by its entitlement", () => {
    const l = new ConnectionLimiter({ ...opts, relayMaxDrones: 4 }, 0, 10, 10);
    let ok = 0;
    for (let i = 0; i < 1000; i++) if (l.admitFrame(10, 0) === OK) ok++;
    expect(ok).toBe(opts.connFramesPerS * 4);
    l.setDronesCarried(1, 0);
    let later = 0;
    for (let i = 0; i < 1000; i++) if (l.admitFrame(10, 1000) === OK) later++;
    expect(later).toBe(opts.connFramesPerS); // refilled only up to the smaller burst
  });

  it("scales a relay by the points it really carried, not by the ids it named (issue 11)", () => {
    const l = new ConnectionLimiter(opts, 0, 1, 2000);
    for (let i = 0; i < 2000; i++) l.admitPoint(`id-${i}`, 0); // 2,000 ids named once
    expect(l.trackedDrones).toBe(2000);
    l.admitFrame(10, 1000); // the next window: 2,000 points in a second is 100 drones at 20/s
    expect(l.dronesCarried).toBe(2000 / opts.droneRate);
    l.admitFrame(10, 2000); // a silent second: back to one
    expect(l.dronesCarried).toBe(1);
    // Naming them again, then a pause longer than a window: the first frame after it finds one drone carried.
    for (let i = 0; i < 2000; i++) l.admitPoint(`id-${i}`, 2100);
    l.admitFrame(10, 4100);
    expect(l.dronesCarried).toBe(1);
    let ok = 0;
    for (let i = 0; i < 1000; i++) if (l.admitFrame(10, 4100) === OK) ok++;
    expect(ok).toBeLessThanOrEqual(opts.connFramesPerS);
  });

  it("charges a frame's points before they are built: past the burst, a frame is refused whole, unread", () => {
    const l = new ConnectionLimiter(opts, 0);
    expect(l.admitPoints(4096, 0)).toBe(OK); // a full bucket builds one frame (the drone buckets drop its excess)
    expect(l.admitPoints(4096, 0)).toMatchObject({ status: "limited", by: "points" });
    expect(l.admitPoints(1, 0)).toMatchObject({ status: "limited", by: "points" });
    // A 4,096-point frame is built again only once the bucket is full: every burst / rate seconds.
    expect(l.admitPoints(4096, 1000)).toMatchObject({ status: "limited", by: "points" });
    expect(l.admitPoints(4096, (opts.droneBurst / opts.droneRate) * 1000)).toBe(OK);
    const relay = new ConnectionLimiter(opts, 0, 1, 100);
    expect(relay.admitPoints(4000, 0)).toBe(OK); // burst: droneBurst × 100 drones
  });

  it("answers pings at PING_RATE_PER_S after a burst, and counts unanswered pings towards abuse", () => {
    const l = new ConnectionLimiter(opts, 0);
    const vs: LimitVerdict[] = [];
    for (let i = 0; i < 20; i++) vs.push(l.admitPing(0));
    expect(kinds(vs)).toEqual({ accepted: PING_BURST, "limited:pings": 20 - PING_BURST });
    expect(l.admitPing(1000 / PING_RATE_PER_S)).toBe(OK);
    // A thousand pings in a second: abusive windows, then a close.
    let closedAt: number | null = null;
    for (let t = 2000; t < 60_000 && closedAt === null; t += 1) if (l.admitPing(t).status === "closed") closedAt = t;
    expect(closedAt).not.toBeNull();
  });

  it("bounds decompression by the bytes left, and charges what was decompressed", () => {
    const l = new ConnectionLimiter(opts, 0);
    expect(l.admitFrame(103, 0)).toBe(OK);
    const left = l.bytesAvailable(0);
    expect(left).toBe(opts.maxFrameBytes - 103);
    l.chargeBytes(left, 0);
    expect(l.bytesAvailable(0)).toBeLessThan(1);
    expect(l.admitFrame(103, 0)).toMatchObject({ status: "limited", by: "bytes" });
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
    l.admitPoints(40, 0);
    l.admitPoints(7, 0);
    expect(l.takeNotice(0)).toEqual({ dropped: 7, retryAfterMs: 350 }); // 7 points at 20/s
  });
});

describe("ConnectionLimiter: abuse", () => {
  /** Offers `perS` frames per second, evenly, for `seconds`; returns the time of the close or null. */
  function flood(l: ConnectionLimiter, perS: number, seconds: number, calmEveryS = 0): number | null {
    for (let s = 0; s < seconds; s++) {
      if (calmEveryS > 0 && s % calmEveryS === calmEveryS - 1) continue; // one quiet second
      for (let i = 0; i < perS; i++) {
        const t = s * 1000 + (i * 1000) / perS;
        const v = l.admitFrame(10, t);
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

  it("never closes a client at 9× its rate", () => {
    expect(flood(new ConnectionLimiter(opts, 0), opts.connFramesPerS * 9, 60)).toBeNull();
  });

  it("closes a flood that pauses every other second, which consecutive seconds never did (issue 11)", () => {
    const t = flood(new ConnectionLimiter(opts, 0), opts.connFramesPerS * 12, 120, 2);
    expect(t).not.toBeNull();
    // +1 s per abusive second, −0.25 s per calm one: past 10 s of score after ~27 s.
    expect(t!).toBeGreaterThan(2 * opts.abuseCloseMs);
    expect(t!).toBeLessThan(3 * opts.abuseCloseMs);
    // A pause in every ten seconds closes it too, a little later than a steady flood.
    const u = flood(new ConnectionLimiter(opts, 0), opts.connFramesPerS * 12, 60, 10);
    expect(u).not.toBeNull();
    expect(u!).toBeLessThan(opts.abuseCloseMs + 2000);
  });

  it("forgets an honest client's short burst", () => {
    const l = new ConnectionLimiter(opts, 0);
    expect(flood(l, opts.connFramesPerS * 12, 3)).toBeNull();
    expect(l.abuseScore).toBe(3000);
    l.admitFrame(10, 20_000); // 17 calm seconds
    expect(l.abuseScore).toBe(0);
  });

  it("judges points per second too, against the drone rate × the drones the token may carry", () => {
    const l = new ConnectionLimiter(opts, 0);
    let closedAt: number | null = null;
    const perS = opts.droneRate * ABUSE_FACTOR * 2;
    for (let s = 0; s < 20 && closedAt === null; s++) {
      for (let i = 0; i < perS; i++) {
        const t = s * 1000 + (i * 1000) / perS;
        if (l.admitPoints(1, t).status === "closed") {
          closedAt = t;
          break;
        }
      }
    }
    expect(closedAt).not.toBeNull();
    expect(closedAt!).toBeGreaterThanOrEqual(opts.abuseCloseMs);
  });
});
