/**
 * What one WebSocket message into a Durable Object costs workerd itself, before any of our code: a
 * bare object (it counts the message and nothing else) in its own workerd, fed N binary messages at a
 * steady rate, its process CPU (/proc) over them. Two ways to accept the socket, alternated: the
 * hibernation API (`ctx.acceptWebSocket` + `webSocketMessage`: each message a new event, as the region
 * accepts its links and hubs) and `ws.accept()` with a listener (messages within the upgrade's request).
 * The floor under every message a region object takes (docs/scaling.md, "Where the hubs path's extra
 * CPU goes"); loopback only, stops by itself.
 *   npx tsx scripts/bench/socket-message-cost.ts [--messages 20000] [--bytes 100] [--rounds 3]
 */
import { Miniflare } from "miniflare";
import { commandLineOrExit, numberFlag } from "../lib/cli.mjs";
import { formatTable } from "../lib/text-table.js";
import { PlainWebSocket } from "./plain-web-socket.js";
import { cpuMicros, descendants, sleep } from "./processes.js";

const USAGE = "usage: npx tsx scripts/bench/socket-message-cost.ts [--messages 20000] [--bytes 100] [--rounds 3]";
const args = commandLineOrExit(process.argv.slice(2), {
  name: "socket-message-cost",
  usage: USAGE,
  options: { messages: { type: "string" }, bytes: { type: "string" }, rounds: { type: "string" } },
} as const);
const messages = numberFlag(args, "messages", 20_000, { min: 100, max: 1_000_000 });
const bytes = numberFlag(args, "bytes", 100, { min: 1, max: 1_000_000 });
const rounds = numberFlag(args, "rounds", 3, { min: 1, max: 20 });
/** Messages per 10 ms slice: 2,000 a second, a busy region's inbound rate, not a flood its queue would absorb. */
const PER_SLICE = 20;

const SCRIPT = `
export class Counter {
  constructor(ctx) { this.ctx = ctx; this.n = 0; }
  async fetch(request) {
    const pair = new WebSocketPair();
    if (new URL(request.url).searchParams.get("mode") === "hibernation") this.ctx.acceptWebSocket(pair[1]);
    else {
      pair[1].accept();
      pair[1].addEventListener("message", (e) => this.counted(pair[1], e.data));
    }
    return new Response(null, { status: 101, webSocket: pair[0] });
  }
  webSocketMessage(ws, data) { this.counted(ws, data); }
  counted(ws, data) {
    if (typeof data === "string") ws.send(String(this.n));
    else this.n++;
  }
}
export default { fetch: (request, env) => env.COUNTER.get(env.COUNTER.idFromName("one")).fetch(request) };
`;

type Mode = "hibernation" | "accept";

async function round(url: URL, pids: number[], mode: Mode): Promise<number> {
  const ws = new PlainWebSocket(`${url.href.replace(/^http/, "ws")}?mode=${mode}`);
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const payload = new Uint8Array(bytes);
  const cpu0 = cpuMicros(pids);
  for (let i = 0; i < messages; i++) {
    ws.send(payload);
    if (i % PER_SLICE === PER_SLICE - 1) await sleep(10);
  }
  // A text message answered after every binary one before it: all were taken.
  const counted = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no answer within 30 s")), 30_000);
    ws.once("message", (data) => {
      clearTimeout(timer);
      resolve(Number(String(data)));
    });
    ws.send("count");
  });
  const us = cpuMicros(pids) - cpu0;
  ws.close();
  if (counted < messages) throw new Error(`${mode}: the object counted ${counted} of ${messages} messages`);
  return us / messages;
}

const mf = new Miniflare({ modules: true, script: SCRIPT, durableObjects: { COUNTER: "Counter" }, host: "127.0.0.1", port: 0 });
try {
  const url = await mf.ready;
  const pids = descendants(process.pid)
    .filter((p) => p.comm.includes("workerd"))
    .map((p) => p.pid);
  if (pids.length === 0) throw new Error("no workerd process found under this one");
  await round(url, pids, "hibernation"); // warm-up: compile, first object
  const rows: Record<string, string | number>[] = [];
  const sums = { hibernation: 0, accept: 0 };
  for (let r = 1; r <= rounds; r++)
    for (const mode of ["hibernation", "accept"] as const) {
      const us = await round(url, pids, mode);
      sums[mode] += us;
      rows.push({ round: r, mode, "µs/message": us.toFixed(1) });
    }
  process.stdout.write(`${messages} messages of ${bytes} bytes a round, ${PER_SLICE * 100}/s, workerd /proc CPU:\n`);
  process.stdout.write(`${formatTable(["round", "mode", "µs/message"], rows)}\n`);
  const h = sums.hibernation / rounds;
  const a = sums.accept / rounds;
  process.stdout.write(`mean: hibernation ${h.toFixed(1)} µs, accept() ${a.toFixed(1)} µs per message; hibernation ÷ accept() ${(h / a).toFixed(2)}\n`);
} finally {
  await mf.dispose();
}
