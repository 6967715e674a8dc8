// The region's door to its hubs in workerd: where a link's frames go is set by announcements (a hub's
// `open` and `closed`, a direct socket's accept), never by the batches a hub's late window still brings.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { regionCenter, regionOf } from "../../src/geo/regions.js";
import type { RegionObject } from "../../src/region/region-object.js";
import { encodeBatch } from "../../src/wire/batch-codec.js";
import { newCounters } from "../../src/wire/counters.js";
import { encodeBundle, encodeHubControl, openEnvelope } from "../../src/wire/hub-protocol.js";
import { parseControl, type RegionControl } from "../../src/wire/link-protocol.js";
import { droneAt, eventually } from "../helpers/client.js";

// Amsterdam's cell: no other test flies there.
const KEY = regionOf(52.37, 4.9, 4);
const region = () => env.REGION.get(env.REGION.idFromName(KEY));

async function socket(path: string) {
  const resp = await region().fetch(`https://region/${path}`, { headers: { Upgrade: "websocket" } });
  const ws = resp.webSocket!;
  ws.accept();
  ws.binaryType = "arraybuffer";
  const got: (string | Uint8Array)[] = [];
  ws.addEventListener("message", (ev) => got.push(typeof ev.data === "string" ? ev.data : new Uint8Array(ev.data as ArrayBuffer)));
  return { ws, got };
}

function batch(seq: number) {
  const { lat, lon } = regionCenter(KEY);
  const p = droneAt("door-a", lat, lon, seq * 40, 0, 0, 0, Date.now());
  return encodeBatch({ seq, sentAtMs: Date.now(), traceparent: "", counters: newCounters(), points: [p], ghost: new Uint8Array(1) });
}

const controls = (got: (string | Uint8Array)[]): RegionControl[] =>
  got.flatMap((d) => {
    const m = typeof d === "string" ? parseControl(d) : null;
    return m ? [m] : [];
  });

describe("hub door", () => {
  it("keeps a link that moved from its hub to direct on direct when the hub's last window arrives late", async () => {
    const link = "door-link-1";
    const hub = await socket(`hub?region=${KEY}&hub=0`);
    hub.ws.send(encodeHubControl({ t: "open", link }));
    await eventually(() => hub.got.some((d) => openEnvelope(d)?.linkId === link), 5000, "hello through the hub");
    // The gateway switches to direct; the hub then reports the link closed, and its window flushes after.
    const direct = await socket(`link?region=${KEY}&link=${link}`);
    await eventually(() => controls(direct.got).some((m) => m.t === "hello"), 5000, "hello direct");
    hub.ws.send(encodeHubControl({ t: "closed", link }));
    hub.ws.send(encodeBundle([{ linkId: link, bytes: batch(1) }]));
    await eventually(() => runInDurableObject(region(), (o: RegionObject) => o.stats.batches >= 1), 5000, "the late batch applied");
    const onHub = hub.got.length;
    // The link's next frames (the ack of the checkpoint, riding out with its next batch) go direct.
    await runDurableObjectAlarm(region());
    direct.ws.send(batch(2));
    await eventually(() => controls(direct.got).some((m) => m.t === "ack"), 5000, "the ack, direct");
    expect(hub.got.slice(onHub).filter((d) => openEnvelope(d)?.linkId === link)).toEqual([]);
    hub.ws.close(1000, "done");
    direct.ws.close(1000, "done");
  });
});
