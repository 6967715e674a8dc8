import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { runReplay } from "../../src/replay/replayer.js";
import { type FakeGateway, startGateway } from "../client/fake-gateway.js";

const HEAD = "time,id,lat,lon,alt_m,velocity,heading,vertrate\n";
/** Five drones, three reports each, on two days (two recordings); line 5 is unreadable. */
function csv(): string {
  let s = HEAD;
  for (let t = 0; t < 3; t++) for (const id of ["a", "b", "c"]) s += `${1000 + t},${id},52,13,100,1,0,0\n`;
  s += "1003,,52,13,100,1,0,0\n";
  for (let t = 0; t < 3; t++) for (const id of ["a", "d"]) s += `${200_000 + t},${id},52.1,13,100,1,0,0\n`;
  return s;
}
const text = csv();
const open = (range?: { start: number; end: number }) => Readable.from([Buffer.from(text).subarray(range?.start ?? 0, range?.end)]);

let gw: FakeGateway | undefined;
afterEach(async () => {
  await gw?.close();
});

describe("runReplay against a loopback gateway", () => {
  it("spreads the drones over as many connections as the announced per-relay limit needs and sends every row", async () => {
    gw = await startGateway();
    Object.assign(gw, { role: "relay", relayMaxDrones: 2, pointsPerSecond: 1000, burstPoints: 2000 });
    const s = await runReplay({ url: gw.url, token: "t", open, speed: Number.POSITIVE_INFINITY, lingerMs: 0 });
    // a, b, c and d, plus a again on the second day (a~2): five drones, two per connection.
    expect(s).toMatchObject({ rows: 15, sent: 15, recordings: 2, drones: 5, connections: 3, bad: 1, missingCounters: 0, interrupted: false });
    expect(s.badLines).toEqual([{ line: 11, reason: "no drone id" }]);
    expect(gw.sessions).toHaveLength(3);
    const byConn = gw.sessions.map((x) => new Set(x.points.map((p) => p.split("@")[0])));
    expect(byConn.map((ids) => ids.size)).toEqual([2, 2, 1]);
    expect(new Set(byConn.flatMap((ids) => [...ids]))).toEqual(new Set(["a", "b", "c", "d", "a~2"]));
    expect(s.server.pointsReceived).toBe(15);
    // Stamps: never ahead of the send, strictly increasing per drone.
    for (const x of gw.sessions) {
      const last = new Map<string, number>();
      for (const p of x.points) {
        const [id, t] = p.split("@") as [string, string];
        expect(Number(t)).toBeGreaterThan(last.get(id) ?? 0);
        expect(Number(t)).toBeLessThanOrEqual(Date.now());
        last.set(id, Number(t));
      }
    }
  });

  it("counts what the edge received only once it has caught up with the frames sent", async () => {
    gw = await startGateway();
    Object.assign(gw, { role: "relay", pointsPerSecond: 1000, burstPoints: 2000, pongBacklog: 12 });
    const s = await runReplay({ url: gw.url, token: "t", open, speed: Number.POSITIVE_INFINITY, lingerMs: 0 });
    // The first pong counted 3 of the 15 points; the summary waits for the edge's full count.
    expect(s.sent).toBe(15);
    expect(s.server.pointsReceived).toBe(15);
    expect(s.missingCounters).toBe(0);
  });

  it("opens a socket per drone with perDrone, side by side in a bounded pool", async () => {
    gw = await startGateway();
    gw.role = "relay";
    // Handshakes under way at once: sockets constructed and not yet open.
    let opening = 0;
    let peak = 0;
    class CountingWs extends WebSocket {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        peak = Math.max(peak, ++opening);
        this.once("open", () => opening--);
        this.once("error", () => opening--);
      }
    }
    const s = await runReplay({
      url: gw.url,
      token: "t",
      open,
      speed: Number.POSITIVE_INFINITY,
      perDrone: true,
      lingerMs: 0,
      connectConcurrency: 2,
      WebSocket: CountingWs,
    });
    expect(s.connections).toBe(5);
    // After the first (its welcome sizes the plan), the other four open two at a time: never one by one, never all at once.
    expect(peak).toBe(2);
    expect(gw.sessions.map((x) => new Set(x.points.map((p) => p.split("@")[0])).size)).toEqual([1, 1, 1, 1, 1]);
    expect(s.server.pointsReceived).toBe(15);
  });

  it("shortens an idle gap to a second unless keepGaps", async () => {
    // One drone, silent for a minute between two reports; at 20× the minute would be 3 s.
    const gapText = `${HEAD}1000,g,52,13,100,1,0,0\n1060,g,52,13,100,1,0,0\n`;
    const gapOpen = (range?: { start: number; end: number }) => Readable.from([Buffer.from(gapText).subarray(range?.start ?? 0, range?.end)]);
    const stampGap = async (keepGaps: boolean) => {
      await gw?.close();
      gw = await startGateway();
      gw.role = "relay";
      const s = await runReplay({ url: gw.url, token: "t", open: gapOpen, speed: 20, keepGaps, lingerMs: 0 });
      expect(s.sent).toBe(2);
      const [a, b] = gw.sessions[0]!.points.map((p) => Number(p.split("@")[1]));
      return b! - a!;
    };
    expect(await stampGap(false)).toBeLessThan(1000);
    expect(await stampGap(true)).toBeGreaterThanOrEqual(2500);
  });

  it("shows progress while it reads the file, before it sends", async () => {
    gw = await startGateway();
    Object.assign(gw, { role: "relay", pointsPerSecond: 100_000, burstPoints: 100_000 });
    let big = HEAD;
    for (let i = 0; i < 2100; i++) big += `${1000 + i / 10},d${i % 3},52,13,100,1,0,0\n`;
    const bigOpen = (range?: { start: number; end: number }) => Readable.from([Buffer.from(big).subarray(range?.start ?? 0, range?.end)]);
    const out: string[] = [];
    const s = await runReplay({
      url: gw.url,
      token: "t",
      open: bigOpen,
      speed: Number.POSITIVE_INFINITY,
      lingerMs: 0,
      progress: { tty: true, ttyEveryMs: 0, write: (t) => out.push(t), fileBytes: big.length },
    });
    expect(s.sent).toBe(2100);
    const reads = out.filter((t) => t.includes("reading the file"));
    expect(reads[0]).toMatch(/^\rreading the file: 1,024 rows, 0 MB of 0 MB \(4\d%\)/);
    // The first pass's line ends before the replay's own begin.
    const firstRows = out.findIndex((t) => / rows \(\d+%\) · /.test(t));
    expect(out.indexOf(reads.at(-1)!)).toBeLessThan(firstRows);
    expect(out[firstRows - 1]).toBe("\n");
  });

  it("gives each connection its own token when given one per connection, as the edge caps sockets per token", async () => {
    gw = await startGateway();
    Object.assign(gw, { role: "relay", tokenCap: 2 });
    const s = await runReplay({ url: gw.url, token: (i) => `t${i}`, open, speed: Number.POSITIVE_INFINITY, perDrone: true, lingerMs: 0 });
    expect(s.connections).toBe(5);
    expect(gw.sessions.map((x) => x.token).sort()).toEqual(["Bearer t0", "Bearer t1", "Bearer t2", "Bearer t3", "Bearer t4"]);
    // One token for five sockets: the third is refused, and the error says why.
    await gw.close();
    gw = await startGateway();
    Object.assign(gw, { role: "relay", tokenCap: 2 });
    await expect(
      runReplay({ url: gw.url, token: "t", open, speed: Number.POSITIVE_INFINITY, perDrone: true, lingerMs: 0, connectTimeoutMs: 1500 }),
    ).rejects.toThrow(
      /could not connect to ws:\/\/127\.0\.0\.1:\d+ \(connection \d of 5\): Unexpected server response: 429 \(the edge caps the sockets one token may hold/,
    );
  });

  it("stops when told to, and still says what it did", async () => {
    gw = await startGateway();
    gw.role = "relay";
    const stop = new AbortController();
    // At speed 1 the three seconds of the first recording take three seconds: stop after the first.
    setTimeout(() => stop.abort(), 300);
    const s = await runReplay({ url: gw.url, token: "t", open, speed: 1, lingerMs: 0, signal: stop.signal });
    expect(s.interrupted).toBe(true);
    expect(s.sent).toBeGreaterThan(0);
    expect(s.sent).toBeLessThan(15);
    expect(s.server.pointsReceived).toBe(s.sent);
  });

  it("fails with a clear message when there is no edge", async () => {
    gw = await startGateway();
    const url = gw.url;
    await gw.close();
    gw = undefined;
    await expect(runReplay({ url, token: "t", open, speed: 1, connectTimeoutMs: 500 })).rejects.toThrow(/could not connect/);
  });
});
