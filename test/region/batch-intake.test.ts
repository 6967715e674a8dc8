// A hub's bundle as one unit in the region object: its links' acks leave as one message to the hub, and
// a batch that cannot be read stops the bundle there (the ones before it stay applied, none after it is).
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { regionCenter, regionOf } from "../../src/geo/regions.js";
import type { RegionObject } from "../../src/region/region-object.js";
import { encodeBatch } from "../../src/wire/batch-codec.js";
import { CloseCode } from "../../src/wire/close-codes.js";
import { newCounters } from "../../src/wire/counters.js";
import { encodeBundle, encodeHubControl, openEnvelopes } from "../../src/wire/hub-protocol.js";
import { parseControl } from "../../src/wire/link-protocol.js";
import { droneAt, eventually } from "../helpers/client.js";

// Reykjavik's cell: no other test flies there.
const KEY = regionOf(64.15, -21.94, 4);
const region = () => env.REGION.get(env.REGION.idFromName(KEY));
const stats = () => runInDurableObject(region(), (o: RegionObject) => ({ ...o.stats }));

/** The region's side of hub `shard` spoken by hand: announcements and bundles out, each text message's envelopes in. */
async function openHub(shard: number) {
  const resp = await region().fetch(`https://region/hub?region=${KEY}&hub=${shard}`, { headers: { Upgrade: "websocket" } });
  const ws = resp.webSocket!;
  ws.accept();
  const texts: { linkId: string; frame: string }[][] = [];
  let closed = 0;
  ws.addEventListener("message", (ev) => {
    if (typeof ev.data === "string") texts.push(openEnvelopes(ev.data) as { linkId: string; frame: string }[]);
  });
  ws.addEventListener("close", (ev) => {
    closed = ev.code;
  });
  const { lat, lon } = regionCenter(KEY);
  const batch = (seq: number, droneId: string, east: number, sentAtMs = Date.now()) =>
    encodeBatch({
      seq,
      sentAtMs,
      traceparent: "",
      counters: newCounters(),
      points: [droneAt(droneId, lat, lon, east, seq, 0, 0, Date.now())],
      ghost: new Uint8Array(1),
    });
  return {
    texts,
    closed: () => closed,
    announce: (link: string) => ws.send(encodeHubControl({ t: "open", link })),
    bundle: (batches: { linkId: string; bytes: Uint8Array }[]) => ws.send(encodeBundle(batches)),
    batch,
    /** Per text message, the acks it carried as [link, seq]. */
    acks: () =>
      texts
        .map((m) => m.flatMap((e) => (parseControl(e.frame)?.t === "ack" ? [[e.linkId, (parseControl(e.frame) as { seq: number }).seq]] : [])))
        .filter((a) => a.length > 0),
    close: () => ws.close(1000, "done"),
  };
}

describe("a hub's bundle in the region", () => {
  it("acks the bundle's links in one message to the hub, once their checkpoint made them durable", async () => {
    const hub = await openHub(0);
    for (const l of ["bi-a.x", "bi-b.x"]) hub.announce(l);
    await eventually(() => hub.texts.length >= 2, 5000, "both hellos");
    const before = await stats();
    hub.bundle([
      { linkId: "bi-a.x", bytes: hub.batch(1, "bi-da", 0) },
      { linkId: "bi-b.x", bytes: hub.batch(1, "bi-db", 200) },
    ]);
    await eventually(async () => (await stats()).batches >= before.batches + 2, 5000, "bundle 1 applied");
    await eventually(() => runDurableObjectAlarm(region()), 5000, "a tick"); // checkpoint: seq 1 of both durable
    hub.bundle([
      { linkId: "bi-a.x", bytes: hub.batch(2, "bi-da", 0) },
      { linkId: "bi-b.x", bytes: hub.batch(2, "bi-db", 200) },
    ]);
    await eventually(() => hub.acks().length > 0, 5000, "the acks");
    expect(hub.acks()).toEqual([
      [
        ["bi-a.x", 1],
        ["bi-b.x", 1],
      ],
    ]);
    hub.close();
  });

  it("applies a bundle in order up to a batch that cannot be read, and closes the hub's socket there", async () => {
    const hub = await openHub(1);
    const before = await stats();
    hub.bundle([
      { linkId: "bi-c.x", bytes: hub.batch(1, "bi-dc", 400) },
      { linkId: "bi-d.x", bytes: Uint8Array.of(0xa5, 1, 0, 0) },
      { linkId: "bi-e.x", bytes: hub.batch(1, "bi-de", 600) },
    ]);
    await eventually(() => hub.closed() !== 0, 5000, "the hub's socket closed");
    expect(hub.closed()).toBe(CloseCode.PROTOCOL);
    const after = await stats();
    expect({ batches: after.batches - before.batches, points: after.points - before.points, bad: after.badBatches - before.badBatches }).toEqual({
      batches: 1,
      points: 1,
      bad: 1,
    });
  });

  it("counts a bundle's batches as waiting from its newest flush: the hub's window is no sign of falling behind", async () => {
    const hub = await openHub(2);
    const links = Array.from({ length: 10 }, (_, i) => `bi-w${i}.x`);
    for (const l of links) hub.announce(l);
    await eventually(() => hub.texts.length >= 10, 5000, "the hellos");
    const before = await stats();
    // Nine batches flushed 2 s before the newest: waited in the hub (a window stretched far past its
    // 50 ms, so that counting from each batch's own flush would be past SHED_UP_MS at p90).
    const now = Date.now();
    hub.bundle(links.map((l, i) => ({ linkId: l, bytes: hub.batch(1, `bi-w${i}`, 40 * i, i < 9 ? now - 2000 : now) })));
    await eventually(async () => (await stats()).batches >= before.batches + 10, 5000, "the bundle applied");
    // Whichever tick closes this second (the alarm's or this one), it must not raise the shed level.
    const level = await runInDurableObject(region(), (o: RegionObject) => {
      const gauge = (o as unknown as { region: { core: { metrics: { overload: { tick(): unknown; level: number } } } } }).region.core.metrics.overload;
      gauge.tick();
      return gauge.level;
    });
    expect(level).toBe(0);
    hub.close();
  });
});
