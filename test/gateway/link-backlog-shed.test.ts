// Regression (issue 12, found by the dense-tracks run on a slow day): a session whose region link went
// unacknowledged for longer than its resend window (the region's storage failing, a region link taking
// seconds to open on an edge far behind) kept accepting every point, then counted them lost (DATA_LOSS)
// as they aged out; shedding never engaged, since the region was not the one measuring the delay.
// Now the link's own backlog sheds (src/ingest/load-shed.ts): points are held back, and the client told,
// before the window runs out. The session is real; the region is a fake that applies and never acks.
import { env as testEnv } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { loadOptions } from "../../src/config.js";
import type { Env } from "../../src/env.js";
import { ErrorCode } from "../../src/gen/airspace/v1/airspace_pb.js";
import { regionCenter, regionOf } from "../../src/geo/regions.js";
import { BACKLOG_GRACE_MS, BACKLOG_SHED_AT, REGION_TICK_MS } from "../../src/tunables.js";
import { encodeControl } from "../../src/wire/link-protocol.js";
import { droneAt, ping } from "../helpers/client.js";
import { relaySessionOnPair } from "../helpers/session-pair.js";

const KEY = regionOf(59.33, 18.07, 4); // Stockholm: only this test's fake region is asked for it
const { lat: LAT, lon: LON } = regionCenter(KEY);
const WINDOW_MS = 4000;

/** A region that greets every link, takes its batches and acknowledges nothing until `ackAll()`. */
function silentRegion() {
  const servers: WebSocket[] = [];
  let batches = 0;
  const stub = {
    fetch: async () => {
      const pair = new WebSocketPair();
      const server = pair[1];
      server.accept();
      server.addEventListener("message", (ev) => {
        if (typeof ev.data !== "string") batches++;
      });
      servers.push(server);
      server.send(encodeControl({ t: "hello", applied: 0 }));
      return new Response(null, { status: 101, webSocket: pair[0] });
    },
  };
  return {
    ns: { idFromName: (n: string) => n, get: () => stub },
    batches: () => batches,
    ackAll: () => servers.at(-1)?.send(encodeControl({ t: "ack", seq: 2 ** 31 })),
  };
}

/** A relay session against `region` with the given window, its five drones 200 m apart flying east at 10 m/s (nothing deduped, none near another). */
async function flight(region: ReturnType<typeof silentRegion>, windowMs: number) {
  const env = { ...(testEnv as Env), REGION: region.ns } as unknown as Env;
  const opts = { ...loadOptions(testEnv as Env), resendMaxMs: windowMs };
  const { client } = await relaySessionOnPair("backlog-relay", opts, env);
  const t0 = Date.now();
  const sentAt: number[] = [];
  /** A frame every 100 ms until `untilMs` after t0. */
  const fly = async (untilMs: number) => {
    while (Date.now() - t0 < untilMs) {
      const now = Date.now();
      sentAt.push(now);
      client.send(Array.from({ length: 5 }, (_, i) => droneAt(`bk-${i}`, LAT, LON, ((now - t0) / 1000) * 10, i * 200, 10, 0, now)));
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const counters = async (nonce: number) => {
    client.sendRaw(ping(nonce));
    const f = await client.waitFor((x) => x.kind.case === "pong" && x.kind.value.nonce === BigInt(nonce));
    if (f.kind.case !== "pong") throw new Error("not a pong");
    const c = f.kind.value.counters!;
    return { accepted: Number(c.pointsAccepted), shed: Number(c.pointsShed), lost: Number(c.pointsLost) };
  };
  return { client, t0, sentAt, fly, counters };
}

describe("a session whose region link is not acknowledged", () => {
  it("holds points back, and says so, before its resend window runs out, and none it accepted is lost", async () => {
    const region = silentRegion();
    const { client, t0, sentAt, fly, counters } = await flight(region, WINDOW_MS);

    // To 0.8 of the window (room for a slow machine's timers): nothing may age out yet, and from
    // BACKLOG_SHED_AT[0] of it points are held.
    await fly(0.8 * WINDOW_MS);
    const held = await counters(1);
    expect(region.batches()).toBeGreaterThan(0);
    expect(held.lost).toBe(0);
    expect(held.shed).toBeGreaterThan(0);
    const notice = client.frames.find((f) => f.kind.case === "error" && f.kind.value.code === ErrorCode.OVERLOADED);
    if (notice?.kind.case !== "error") throw new Error(`no OVERLOADED notice: ${JSON.stringify(held)}`);
    expect(notice.kind.value.message).toMatch(/link backlog/);
    // Nothing is held back before the backlog reaches the first step: it counts from the first batch,
    // which leaves after the first frame (100 ms of margin for the clocks of a loaded machine).
    const firstStepMs = Math.max(BACKLOG_SHED_AT[0]! * WINDOW_MS, BACKLOG_GRACE_MS);
    const early = sentAt.filter((t) => t < sentAt[0]! + firstStepMs - 100).length;
    expect(held.accepted).toBeGreaterThanOrEqual(5 * early);

    // Acknowledged: the backlog is gone, and every point is taken again.
    region.ackAll();
    await new Promise((r) => setTimeout(r, 100)); // the ack's own socket: not ordered with the pong's
    const before = await counters(2);
    const t1 = Date.now();
    await fly(t1 - t0 + 500);
    const after = await counters(3);
    expect(after.shed).toBe(before.shed);
    expect(after.accepted).toBeGreaterThan(before.accepted);
    expect(after.lost).toBe(0);
    client.close();
  });

  it("sheds nothing while the region acknowledges every checkpoint, even with a resend window that short", async () => {
    const region = silentRegion();
    const checkpoints = setInterval(() => region.ackAll(), REGION_TICK_MS);
    try {
      const { client, fly, counters } = await flight(region, 1000);
      await fly(3 * REGION_TICK_MS);
      const c = await counters(1);
      expect(c.accepted).toBeGreaterThan(0);
      expect(c.shed).toBe(0);
      expect(client.frames.some((f) => f.kind.case === "error" && f.kind.value.code === ErrorCode.OVERLOADED)).toBe(false);
      client.close();
    } finally {
      clearInterval(checkpoints);
    }
  });
});
