// A plain Node program using the built client package the way another project would: imported by its
// package name (`airspace/client`, the package's exports entry; `npm run build:client` first). Two
// drones fly head-on; it prints {welcome, alerts} as JSON once both were alerted, or exits 1 after 15 s.
//   AIRSPACE_URL=ws://127.0.0.1:PORT AIRSPACE_JWT_SECRET=... node test/e2e/client-roundtrip.mjs
import { DroneClient, mintToken } from "airspace/client";

const url = process.env.AIRSPACE_URL;
const secret = process.env.AIRSPACE_JWT_SECRET;
if (!url || !secret) {
  console.error("AIRSPACE_URL and AIRSPACE_JWT_SECRET are required");
  process.exit(2);
}
const giveUp = setTimeout(() => {
  console.error("no alert for both drones within 15 s");
  process.exit(1);
}, 15_000);

const M_PER_DEG_LON = 111_320 * Math.cos((47 * Math.PI) / 180);
const drones = ["pkg-east", "pkg-west"].map((id, i) => {
  const c = new DroneClient({ url, token: () => mintToken(secret, { sub: id, fleet: "e2e" }), pingIntervalMs: 0 });
  return { id, c, x0: i === 0 ? -60 : 60, ve: i === 0 ? 10 : -10, alerts: [] };
});
const welcome = (await Promise.all(drones.map((d) => d.c.connect())))[0];
const done = new Promise((resolve) => {
  for (const d of drones)
    d.c.on("alert", (a) => {
      d.alerts.push({ drone: a.droneId, other: a.otherId, level: a.level, advisory: a.advisory });
      if (drones.every((x) => x.alerts.length > 0)) resolve();
    });
});
const t0 = Date.now();
const timer = setInterval(() => {
  const t = (Date.now() - t0) / 1000;
  for (const d of drones) d.c.send({ timeMs: Date.now(), lat: 47, lon: 8 + (d.x0 + d.ve * t) / M_PER_DEG_LON, altM: 120, vn: 0, ve: d.ve, vu: 0 });
}, 100);
await done;
clearInterval(timer);
clearTimeout(giveUp);
for (const d of drones) d.c.close();
console.log(JSON.stringify({ welcome: { role: welcome.role, relayMaxDrones: welcome.relayMaxDrones }, alerts: drones.map((d) => d.alerts[0]) }));
