// The gateway's link to a region, against a fake region namespace: what happens to batches the region
// never acknowledged, when it comes back late and when the session gives up on it.
import { describe, expect, it } from "vitest";
import { DEFAULTS } from "../../src/config.js";
import type { Env } from "../../src/env.js";
import { type LinkHost, UpstreamLink } from "../../src/gateway/upstream.js";
import { decodeBatch } from "../../src/wire/batch-codec.js";
import { newCounters } from "../../src/wire/counters.js";
import { encodeControl } from "../../src/wire/link-protocol.js";
import { droneAt, eventually } from "../helpers/client.js";

const opts = { ...DEFAULTS, resendMaxMs: 300 };

/** A region that refuses links until `open()`, then greets each with `hello` and records what it receives. */
function fakeRegion() {
  let accepting = false;
  const received: number[] = [];
  /** Per delivery: whether the batch came from the resend buffer (its header's mark). */
  const fromBuffer: boolean[] = [];
  const links = { opened: 0 };
  const servers: WebSocket[] = [];
  const env = {
    REGION: {
      idFromName: (n: string) => n,
      get: () => ({
        fetch: async () => {
          if (!accepting) throw new Error("region away");
          links.opened++;
          const pair = new WebSocketPair();
          const [client, server] = [pair[0], pair[1]];
          server.binaryType = "arraybuffer";
          server.accept();
          servers.push(server);
          server.addEventListener("message", (ev) => {
            const b = decodeBatch(new Uint8Array(ev.data as ArrayBuffer));
            received.push(b.seq);
            fromBuffer.push(b.resent === true);
          });
          server.send(encodeControl({ t: "hello", applied: 0 }));
          return new Response(null, { status: 101, webSocket: client });
        },
      }),
    },
  } as unknown as Env;
  /** Acknowledges every batch up to `seq` on the latest link, as a checkpoint would. */
  const ack = (seq: number) => servers.at(-1)!.send(encodeControl({ t: "ack", seq }));
  return { env, received, fromBuffer, links, ack, open: () => (accepting = true) };
}

function host() {
  const lost: number[] = [];
  const h: LinkHost = { forward() {}, proximity() {}, far() {}, lost: (_r, n) => lost.push(n), resent() {}, shed() {}, backlog() {} };
  return { h, lost };
}

const batch = (link: UpstreamLink, n: number) =>
  link.send(
    Array.from({ length: n }, (_, i) => droneAt(`u${i}`, 50, 8, 0, 0, 0, 0, Date.now())),
    new Uint8Array(n),
    newCounters(),
    Date.now(),
  );

describe("upstream link", () => {
  it("counts batches older than the resend window lost when the region comes back, instead of resending them", async () => {
    const region = fakeRegion();
    const { h, lost } = host();
    const link = new UpstreamLink("u0", "s.u0", region.env, opts, h, "0".repeat(32));
    batch(link, 3);
    batch(link, 2);
    await new Promise((r) => setTimeout(r, opts.resendMaxMs + 100));
    // No new batch is pushed: the age bound must hold on its own.
    region.open();
    await eventually(() => lost.reduce((s, n) => s + n, 0) === 5, 15_000, "both old batches counted lost");
    // Lost at the backoff's trim, before the connect: the fresh batch below must not wait out a 300 ms
    // window behind a connect on a loaded machine (it would age out too, and never arrive).
    await eventually(() => region.links.opened > 0, 15_000, "the link reopened");
    await new Promise((r) => setTimeout(r, 200));
    expect(region.received).toEqual([]); // and not resent
    batch(link, 1); // a fresh one still goes out
    await eventually(() => region.received.length > 0, 15_000, "the fresh batch delivered");
    expect(region.received).toEqual([3]);
    link.close();
  });

  it("tells its session how deep its unacknowledged backlog runs into the resend window, and when it is acknowledged", async () => {
    const region = fakeRegion();
    region.open();
    const fills: number[] = [];
    const h: LinkHost = { ...host().h, backlog: (_r, f) => fills.push(f) };
    const window = 3000; // room for a slow connect before the loop below
    const link = new UpstreamLink("u3", "s.u3", region.env, { ...opts, resendMaxMs: window }, h, "0".repeat(32));
    const t0 = Date.now();
    batch(link, 1);
    await eventually(() => region.received.length === 1, 5000, "the first batch delivered");
    // The region applies but does not acknowledge: each new batch reports the oldest one's age.
    while (Date.now() - t0 < 0.7 * window) {
      batch(link, 1);
      await new Promise((r) => setTimeout(r, 50));
    }
    const deepest = Math.max(...fills);
    expect(deepest).toBeGreaterThanOrEqual(0.6);
    expect(deepest).toBeLessThan(1);
    expect(fills[0]!).toBeLessThan(0.1);
    region.ack(2 ** 31); // cumulative: everything sent
    await eventually(() => fills.at(-1) === 0, 5000, "the backlog reported empty after the ack");
    expect(link.unacked).toBe(0);
    link.close();
  });

  it("counts what is still unacknowledged lost when the session gives up on the link", () => {
    const region = fakeRegion();
    const { h, lost } = host();
    const link = new UpstreamLink("u1", "s.u1", region.env, { ...opts, resendMaxMs: 60_000 }, h, "0".repeat(32));
    batch(link, 4);
    batch(link, 3);
    expect(link.abandon()).toBe(7);
    expect(lost).toEqual([7]);
    expect(link.unacked).toBe(0);
  });

  it("cut by fault injection right after a batch, reconnects once and resends it", async () => {
    const region = fakeRegion();
    region.open();
    const { h, lost } = host();
    const link = new UpstreamLink("u2", "s.u2", region.env, { ...opts, resendMaxMs: 60_000 }, h, "0".repeat(32));
    let cuts = 1;
    link.cutAfterSend = () => cuts-- > 0;
    batch(link, 2); // connects; sent after the hello
    await eventually(() => region.received.length > 0, 5000, "the first batch delivered");
    batch(link, 3); // sent, then the socket is cut under it
    // The fake region never acknowledges: after the reconnect both batches go again, in order.
    await eventually(() => region.received.filter((s) => s === 1).length === 2 && region.received.at(-1) === 2, 5000, "both resent on the new socket");
    expect(region.received.slice(-2)).toEqual([1, 2]);
    // Marked as resent (the region does not read their wait as overload); batch 2's first send was live.
    expect(region.fromBuffer.slice(-2)).toEqual([true, true]);
    expect(region.fromBuffer[region.received.indexOf(2)]).toBe(false);
    // One new socket, not a chain of them: the cut socket's own close must not end its successor.
    await new Promise((r) => setTimeout(r, 300));
    expect(region.links.opened).toBe(2);
    expect(lost).toEqual([]);
    link.close();
  });

  it("keeps the old path open across a route switch until the new one says hello, so a frame already on it arrives", async () => {
    /** A fake object answering links: records its server sockets; greets at once or when told. */
    const fakeObject = (greetAtOnce: boolean) => {
      const servers: { ws: WebSocket; closed: boolean }[] = [];
      const stub = {
        fetch: async () => {
          const pair = new WebSocketPair();
          const s = { ws: pair[1], closed: false };
          s.ws.accept();
          s.ws.addEventListener("close", () => (s.closed = true));
          servers.push(s);
          if (greetAtOnce) s.ws.send(encodeControl({ t: "hello", applied: 0 }));
          return new Response(null, { status: 101, webSocket: pair[0] });
        },
      };
      return { servers, ns: { idFromName: (n: string) => n, get: () => stub } };
    };
    const region = fakeObject(true);
    const hubs = fakeObject(false);
    const env = { REGION: region.ns, HUB: hubs.ns } as unknown as Env;
    const forwarded: number[] = [];
    const h: LinkHost = { forward: (f) => forwarded.push(f[0]!), proximity() {}, far() {}, lost() {}, resent() {}, shed() {}, backlog() {} };
    const link = new UpstreamLink("u0", "s.u0", env, opts, h, "0".repeat(32), "drone-1");
    link.start();
    await eventually(() => region.servers.length === 1, 5000, "direct link");
    const direct = region.servers[0]!;
    direct.ws.send(encodeControl({ t: "route", hubs: 1 }));
    await eventually(() => hubs.servers.length === 1, 5000, "the hub link");
    // The region sent this as it switched the link: it is on the old path, and must not be lost.
    direct.ws.send(new Uint8Array([7, 1, 2]));
    await eventually(() => forwarded.includes(7), 5000, "the frame on the old path");
    expect(direct.closed).toBe(false);
    hubs.servers[0]!.ws.send(encodeControl({ t: "hello", applied: 0 }));
    await eventually(() => direct.closed, 5000, "the old path closed after the new one's hello");
    link.close();
  });
});
