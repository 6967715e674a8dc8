// Regression (issue 12, found by the soak): a session's link to a region that went idle was closed, and
// the link the session then reopened to that region numbered its batches from 1 again under the old
// link id, so the region dropped them as already applied. The session is built here with a short
// LINK_IDLE_MS (its options are a constructor argument) on a socket pair; the region is the real one.
import { env as testEnv, runDurableObjectAlarm, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { loadOptions } from "../../src/config.js";
import type { Env } from "../../src/env.js";
import { regionCenter, regionOf } from "../../src/geo/regions.js";
import { droneAt, eventually, ping, token } from "../helpers/client.js";
import { relaySessionOnPair } from "../helpers/session-pair.js";

const env = testEnv as Env;
const KEY = regionOf(48.21, 16.37, 4); // Vienna: a cell no other test flies in
const { lat: LAT, lon: LON } = regionCenter(KEY);

interface RegionStats {
  links: number;
  points: number;
  batches: number;
  duplicateBatches: number;
}

async function regionStats(): Promise<RegionStats> {
  const r = await SELF.fetch(`https://airspace.test/v1/regions/${KEY}/stats`, { headers: { Authorization: `Bearer ${await token("ops-idle", "ops")}` } });
  return (await r.json()) as RegionStats;
}

describe("a session's link reopened after an idle close", () => {
  it("has every batch it carries applied, none dropped as a duplicate", async () => {
    const opts = { ...loadOptions(env), linkIdleMs: 1000 };
    const { client, pending } = await relaySessionOnPair("idle-relay", opts, env);
    const before = await regionStats();

    // One new hovering drone per point, 30 m apart: nothing is deduped, rate-limited or in conflict,
    // so every point sent must land in the region. A frame every 80 ms: one batch each.
    let n = 0;
    const sendFrames = async (frames: number, perFrame: number) => {
      for (let i = 0; i < frames; i++) {
        const now = Date.now();
        client.send(Array.from({ length: perFrame }, () => droneAt(`idle-${n}`, LAT, LON, (n % 20) * 30, Math.floor(n++ / 20) * 30, 0, 0, now)));
        await new Promise((r) => setTimeout(r, 80));
      }
    };
    await sendFrames(6, 5);
    const first = n;
    const applied = (count: number) => async () => {
      const s = await regionStats();
      return s.points - before.points >= count && s;
    };
    await eventually(applied(first), 5000, `${first} points applied`);
    // The tick acks the link; once acked and idle past linkIdleMs the session closes it.
    await runDurableObjectAlarm(env.REGION.get(env.REGION.idFromName(KEY)));
    await eventually(async () => (await regionStats()).links === 0, 5000, "the idle link closed");

    // Fewer batches than the first link carried: under the old id all of them would count as applied.
    await sendFrames(3, 5);
    const total = n;
    const settled = await eventually(applied(total), 5000, `all ${total} points applied (${total - first} sent on the reopened link)`).catch(
      async (e: Error) => {
        const s = await regionStats();
        throw new Error(`${e.message}: region applied ${s.points - before.points}, duplicate batches ${s.duplicateBatches - before.duplicateBatches}`);
      },
    );
    expect(settled.points - before.points).toBe(total);
    expect(settled.duplicateBatches - before.duplicateBatches).toBe(0);
    expect((await regionStats()).links).toBe(1);

    // The session's own counters agree: everything it accepted went into a batch, nothing lost.
    client.sendRaw(ping(7));
    const pong = await client.waitFor((f) => f.kind.case === "pong");
    if (pong.kind.case !== "pong") throw new Error("not a pong");
    expect(Number(pong.kind.value.counters?.pointsAccepted)).toBe(total);
    expect(Number(pong.kind.value.counters?.pointsLost)).toBe(0);
    client.close();
    await Promise.all(pending);
  });
});
