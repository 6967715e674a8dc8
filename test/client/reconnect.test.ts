import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { DroneClient } from "../../src/client/drone.js";
import { RelayClient } from "../../src/client/relay.js";
import type { WebSocketCtor } from "../../src/client/socket.js";
import type { ClientPoint } from "../../src/client/wire.js";
import { type FakeGateway, startGateway } from "./fake-gateway.js";

const Ws = WebSocket as unknown as WebSocketCtor;
const pt = (timeMs: number, droneId?: string): ClientPoint => ({ droneId, timeMs, lat: 48.85, lon: 2.35, altM: 80, vn: 10, ve: 0, vu: 0 });
let gw: FakeGateway;
const clients: { close(): void }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await gw?.close();
});

describe("DroneClient against a loopback gateway", () => {
  it("authenticates with a header, batches per the welcome, reconnects and resumes the unsent queue", async () => {
    gw = await startGateway();
    const client = new DroneClient({ url: gw.url, token: "jwt-1", WebSocket: Ws, nodeWs: true, backoff: { baseMs: 40, random: () => 0.5 }, pingIntervalMs: 0 });
    clients.push(client);
    const welcome = await client.connect();
    expect(welcome.maxPointsPerFrame).toBe(5);
    expect(gw.sessions[0]!.auth).toBe("Bearer jwt-1");
    for (let i = 0; i < 12; i++) client.send(pt(1000 + i));
    await gw.until(() => gw.sessions[0]!.points.length === 12);
    expect(Math.max(...gw.sessions[0]!.frames)).toBeLessThanOrEqual(5);
    expect(gw.sessions[0]!.points[0]).toBe("@1000");

    const closed = client.next("close");
    gw.sessions[0]!.sock.terminate();
    const c = await closed;
    expect(c.willReconnect).toBe(true);
    expect(c.delayMs).toBe(30); // 40 ms ceiling, half fixed + 0.5 × half jitter
    for (let i = 0; i < 3; i++) client.send(pt(2000 + i));
    expect(client.connected).toBe(false);
    await client.next("welcome");
    await gw.until(() => gw.sessions[1]?.points.length === 3);
    expect(gw.sessions[1]!.points).toEqual(["@2000", "@2001", "@2002"]);
    expect(client.stats.reconnects).toBe(1);
    const pong = await client.ping();
    expect(pong.counters.pointsAccepted).toBe(3);
  });

  it("pauses on a rate-limit notice until retry_after_ms, then sends only the newest point", async () => {
    gw = await startGateway();
    let clock = 1_000_000;
    const client = new DroneClient({ url: gw.url, token: "t", WebSocket: Ws, nodeWs: true, now: () => clock, pingIntervalMs: 0 });
    clients.push(client);
    await client.connect();
    const limited = client.next("rateLimit");
    gw.send(gw.sessions[0]!.sock, { case: "rateLimit", value: { droneId: "d7", dropped: 4, retryAfterMs: 500 } });
    await limited;
    for (let i = 0; i < 4; i++) client.send(pt(5000 + i));
    // Several flush windows (10 ms each) pass on the real clock while the injected clock stands still.
    const probe = await client.ping();
    await new Promise((r) => setTimeout(r, 60));
    expect(gw.sessions[0]!.points).toEqual([]);
    expect(probe.counters.pointsAccepted).toBe(0);
    clock += 500;
    await gw.until(() => gw.sessions[0]!.points.length === 1);
    expect(gw.sessions[0]!.points).toEqual(["@5003"]);
    expect(client.stats.droppedPaused).toBe(3);
  });

  it("uses the bearer subprotocol when asked (as browsers must)", async () => {
    gw = await startGateway();
    const client = new DroneClient({ url: gw.url, token: "jwt-2", WebSocket: Ws, nodeWs: true, auth: "protocol", pingIntervalMs: 0 });
    clients.push(client);
    await client.connect();
    expect(gw.sessions[0]!.protocol.split(",").map((x) => x.trim())).toEqual(["airspace.v1", "bearer.jwt-2"]);
    expect(gw.sessions[0]!.auth).toBe("");
  });

  it("gives up after maxReconnectAttempts when nothing listens", async () => {
    gw = await startGateway();
    const url = gw.url;
    await gw.close();
    const client = new DroneClient({ url, token: "t", WebSocket: Ws, nodeWs: true, maxReconnectAttempts: 2, backoff: { baseMs: 10 }, pingIntervalMs: 0 });
    clients.push(client);
    client.on("error", () => {});
    await expect(client.connect()).rejects.toThrow(/closed before welcome/);
    expect(client.stats.reconnects).toBe(2);
    gw = await startGateway();
  });
});

describe("RelayClient", () => {
  it("pauses only the drone a notice names", async () => {
    gw = await startGateway();
    let clock = 0;
    const relay = new RelayClient({ url: gw.url, token: "r", WebSocket: Ws, nodeWs: true, now: () => clock, pingIntervalMs: 0 });
    clients.push(relay);
    await relay.connect();
    const limited = relay.next("rateLimit");
    gw.send(gw.sessions[0]!.sock, { case: "rateLimit", value: { droneId: "a", retryAfterMs: 1000 } });
    await limited;
    expect(relay.isPaused("a")).toBe(true);
    relay.send(pt(1, "a"));
    relay.send(pt(1, "b"));
    await gw.until(() => gw.sessions[0]!.points.length === 1);
    expect(gw.sessions[0]!.points).toEqual(["b@1"]);
    expect(() => relay.send(pt(2))).toThrow(/droneId/);
    clock = 1000;
    await gw.until(() => gw.sessions[0]!.points.length === 2);
    expect(gw.sessions[0]!.points[1]).toBe("a@1");
  });

  it("streams each drone's deltas, and starts a fresh stream on every connection", async () => {
    gw = await startGateway();
    gw.role = "relay";
    gw.streamMaxDrones = 8;
    const relay = new RelayClient({
      url: gw.url,
      token: "t",
      WebSocket: Ws,
      nodeWs: true,
      stream: true,
      backoff: { baseMs: 20, random: () => 0.5 },
      pingIntervalMs: 0,
    });
    clients.push(relay);
    await relay.connect();
    for (let i = 0; i < 12; i++) relay.send(pt(1000 + i, `d${i % 3}`));
    await gw.until(() => gw.sessions[0]!.points.length === 12);
    expect(gw.sessions[0]!.kinds.every((k) => k === "stream")).toBe(true);
    expect(gw.sessions[0]!.points.slice(0, 4)).toEqual(["d0@1000", "d1@1001", "d2@1002", "d0@1003"]);
    // The gateway's side of the stream is gone with the socket: the client must not lean on it.
    gw.sessions[0]!.sock.terminate();
    await relay.next("welcome");
    for (let i = 0; i < 3; i++) relay.send(pt(2000 + i, `d${i}`));
    await gw.until(() => gw.sessions[1]?.points.length === 3);
    expect(gw.sessions[1]!.kinds).toEqual(["stream"]);
    expect(gw.sessions[1]!.points).toEqual(["d0@2000", "d1@2001", "d2@2002"]);
  });

  it("falls back to columns when the gateway announces no stream table", async () => {
    gw = await startGateway();
    const client = new DroneClient({ url: gw.url, token: "t", WebSocket: Ws, nodeWs: true, stream: true, pingIntervalMs: 0 });
    clients.push(client);
    await client.connect();
    client.send(pt(3000));
    await gw.until(() => gw.sessions[0]!.points.length === 1);
    expect(gw.sessions[0]!.kinds).toEqual(["columns"]);
  });
});
