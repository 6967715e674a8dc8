/**
 * The stall probe's own thread (stall-probe.ts): Runtime.getHeapUsage to workerd's inspector every
 * `periodMs`, one at a time. workerd answers it on the isolate's thread once that thread is free, so a
 * round trip bounds from below how long the isolate was busy with one event (a long synchronous turn, a
 * GC pause). It runs apart from the feeder's event loop so the feeder's own delays are not counted.
 */
import { parentPort, workerData } from "node:worker_threads";
import WebSocket from "ws";

const { url, periodMs } = workerData;
const rtts = [];
/** performance.now() of each round trip's start, for the ones at or over 50 ms. */
const slowAt = [];
/** How late this thread's own timer fired at worst (a bound on how much of a round trip may be ours). */
let ownLateMaxMs = 0;
let running = true;
const ws = new WebSocket(url, { handshakeTimeout: 5000 });
let id = 0;
let pending = null;
ws.on("message", (data) => {
  const msg = JSON.parse(String(data));
  if (msg.id !== undefined && pending && msg.id === pending.id) {
    const p = pending;
    pending = null;
    p.resolve();
  }
});
ws.once("error", (e) => parentPort.postMessage({ error: String(e) }));
parentPort.on("message", (m) => {
  if (m === "stop") running = false;
});

/** A question left unanswered this long ends the probing (another inspector session may have taken the target). */
const GIVE_UP_MS = 10_000;
let gaveUp = false;

function ask() {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      gaveUp = true;
      pending = null;
      resolve();
    }, GIVE_UP_MS);
    pending = {
      id: ++id,
      resolve: () => {
        clearTimeout(timer);
        resolve();
      },
    };
    ws.send(JSON.stringify({ id, method: "Runtime.getHeapUsage", params: {} }));
  });
}

ws.once("open", async () => {
  parentPort.postMessage({ ready: true });
  let next = performance.now();
  while (running) {
    const a = performance.now();
    ownLateMaxMs = Math.max(ownLateMaxMs, a - next);
    await ask();
    if (gaveUp) break;
    const rtt = performance.now() - a;
    rtts.push(rtt);
    if (rtt >= 50) slowAt.push({ atMs: a + performance.timeOrigin, rttMs: rtt });
    next += periodMs;
    const now = performance.now();
    if (next < now) next = now;
    await new Promise((r) => setTimeout(r, next - now));
  }
  ws.close();
  parentPort.postMessage({ rtts, slowAt, ownLateMaxMs, gaveUp });
});
