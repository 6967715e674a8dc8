import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import type { RegionObject } from "../../src/region/region-object.js";
import { describe, expect, it } from "vitest";
import { encodeBatch } from "../../src/wire/batch-codec.js";
import { newCounters } from "../../src/wire/counters.js";
import { parseControl, type RegionControl } from "../../src/wire/link-protocol.js";
import { regionCenter, regionOf } from "../../src/geo/regions.js";
import { droneAt, eventually } from "../helpers/client.js";

// Frankfurt's cell: no other test flies there.
const KEY = regionOf(50.11, 8.68, 4);

function region() {
  return env.REGION.get(env.REGION.idFromName(KEY));
}

/** A gateway link speaking the link protocol by hand: batches out, control frames in. */
async function openLink(linkId: string) {
  const resp = await region().fetch(`https://region/link?region=${KEY}&link=${linkId}`, { headers: { Upgrade: "websocket" } });
  const ws = resp.webSocket!;
  ws.accept();
  const got: RegionControl[] = [];
  ws.addEventListener("message", (ev) => {
    if (typeof ev.data === "string") {
      const m = parseControl(ev.data);
      if (m) got.push(m);
    }
  });
  const { lat, lon } = regionCenter(KEY);
  let seq = 0;
  return {
    got,
    acks: () => got.flatMap((m) => (m.t === "ack" ? [m.seq] : [])),
    send(droneId: string) {
      seq++;
      const p = droneAt(droneId, lat, lon, seq * 40, 0, 0, 0, Date.now());
      ws.send(encodeBatch({ seq, sentAtMs: Date.now(), traceparent: "", counters: newCounters(), points: [p], ghost: new Uint8Array(1) }));
    },
    close: () => ws.close(1000, "done"),
    hello: () => got.find((m) => m.t === "hello"),
  };
}

describe("acks of quiet links", () => {
  it("rides each link's checkpoint ack out with its next batch, or with the next tick", async () => {
    const link = await openLink("acks-test-1");
    await eventually(() => link.got.some((m) => m.t === "hello"), 5000, "hello");
    link.send("ack-a");
    // The tick must come after the batch is applied (the link's accept armed an alarm of its own).
    await eventually(() => runInDurableObject(region(), (o: RegionObject) => o.stats.batches >= 1), 5000, "batch 1 applied");
    await eventually(() => runDurableObjectAlarm(region()), 5000, "a tick"); // checkpoint: seq 1 durable
    // No ack at the tick itself: a thousand quiet links would all be acked in one burst.
    await new Promise((r) => setTimeout(r, 100));
    expect(link.acks()).toEqual([]);
    // The next batch carries it out, for what the checkpoint covered (1), not the batch just applied (2).
    link.send("ack-a");
    await eventually(() => link.acks().length > 0, 5000, "the ack");
    expect(link.acks()).toEqual([1]);
    // A link that goes quiet after a checkpoint is acked at the tick after.
    expect(await runDurableObjectAlarm(region())).toBe(true); // checkpoint: 2 durable, ack due
    expect(await runDurableObjectAlarm(region())).toBe(true);
    await eventually(() => link.acks().includes(2), 5000, "the ack of 2 at the next tick");
    expect(link.acks()).toEqual([1, 2]);
    link.close();
  });

  it("greets a link that reconnects to a live region with the durable floor only, never batches applied in memory alone", async () => {
    const first = await openLink("hello-test-1");
    await eventually(() => first.hello() !== undefined, 5000, "hello");
    const before = await runInDurableObject(region(), (o: RegionObject) => o.stats.batches);
    for (let i = 0; i < 3; i++) first.send("hello-a");
    await eventually(() => runInDurableObject(region(), (o: RegionObject) => o.stats.batches >= before + 3), 5000, "3 batches applied");
    first.close();
    // Reconnect before any checkpoint: the 3 batches are applied but not durable (a quiet link is not journaled).
    const again = await openLink("hello-test-1");
    await eventually(() => again.hello() !== undefined, 5000, "hello again");
    expect(again.hello()).toEqual({ t: "hello", applied: 0 });
    again.close();
    await eventually(() => runDurableObjectAlarm(region()), 5000, "a tick"); // checkpoint: 1-3 durable
    const third = await openLink("hello-test-1");
    await eventually(() => third.hello() !== undefined, 5000, "hello after the checkpoint");
    expect(third.hello()).toEqual({ t: "hello", applied: 3 });
    third.close();
  });
});
