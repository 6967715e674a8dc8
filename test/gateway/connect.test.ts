import { env, SELF } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { create, toBinary } from "@bufbuild/protobuf";
import { AlertLevel, ClientFrameSchema, ErrorCode, Manoeuvre } from "../../src/gen/airspace/v1/airspace_pb.js";
import { signJwt } from "../helpers/jwt.js";
import { encodeTelemetryFrame } from "../../src/client/wire.js";
import { StreamEncoder } from "../../src/wire/telemetry-stream.js";
import { createApp } from "../../src/gateway/app.js";
import { connect, droneAt, token } from "../helpers/client.js";

// Central Berlin, well inside geohash cell u33d: no halo traffic.
const LAT = 52.52;
const LON = 13.405;

describe("HTTP surface", () => {
  it("answers /healthz", async () => {
    const r = await SELF.fetch("https://airspace.test/healthz");
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ ok: true });
  });

  it("rejects a connect without a token with 401 JSON before any upgrade", async () => {
    const r = await SELF.fetch("https://airspace.test/v1/connect", { headers: { Upgrade: "websocket" } });
    expect(r.status).toBe(401);
    expect(r.webSocket).toBeNull();
    expect(await r.json()).toMatchObject({ error: "unauthorized" });
  });

  it("rejects a bad signature, an expired token and a token without exp", async () => {
    const bad = await signJwt({ sub: "d1", exp: Date.now() / 1000 + 60 }, "another-secret");
    const expired = await signJwt({ sub: "d1", exp: Math.floor(Date.now() / 1000) - 1 }, env.AIRSPACE_JWT_SECRET as string);
    const noExp = await signJwt({ sub: "d1" }, env.AIRSPACE_JWT_SECRET as string);
    for (const [tok, why] of [
      [bad, "invalid token signature"],
      [expired, "token expired"],
      [noExp, "token has no exp claim"],
    ] as const) {
      const r = await SELF.fetch("https://airspace.test/v1/connect", { headers: { Upgrade: "websocket", Authorization: `Bearer ${tok}` } });
      expect(r.status).toBe(401);
      expect(await r.json()).toEqual({ error: "unauthorized", detail: why });
    }
  });

  it("asks for an upgrade on a plain GET", async () => {
    const r = await SELF.fetch("https://airspace.test/v1/connect", { headers: { Authorization: `Bearer ${await token("d1")}` } });
    expect(r.status).toBe(426);
  });

  it("answers 503 and never runs open when no key is configured", async () => {
    const app = createApp();
    const r = await app.fetch(new Request("https://airspace.test/v1/connect", { headers: { Upgrade: "websocket" } }), {
      ...env,
      AIRSPACE_JWT_SECRET: undefined,
      AIRSPACE_JWT_KEYS: undefined,
    });
    expect(r.status).toBe(503);
    expect(await r.json()).toMatchObject({ error: "not_configured" });
  });

  it("accepts the token in Sec-WebSocket-Protocol and answers with airspace.v1", async () => {
    const tok = await token("proto-drone");
    const r = await SELF.fetch("https://airspace.test/v1/connect", {
      headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": `airspace.v1, bearer.${tok}` },
    });
    expect(r.status).toBe(101);
    expect(r.headers.get("Sec-WebSocket-Protocol")).toBe("airspace.v1");
    r.webSocket!.accept();
    r.webSocket!.close(1000);
  });
});

describe("drone socket → gateway → region → alert back", () => {
  it("sends a welcome with the limits in force", async () => {
    const c = await connect(await token("w1"));
    const w = await c.waitFor((f) => f.kind.case === "welcome");
    expect(w.kind.case === "welcome" && w.kind.value).toMatchObject({ droneId: "w1", role: "drone", batchWindowMs: 50, conflictRadiusM: 15 });
    c.close();
  });

  it("alerts both drones on a collision course, with complementary advisories", async () => {
    const logged: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((...xs: unknown[]) => void logged.push(xs.map(String).join(" ")));
    const a = await connect(await token("col-a"));
    const b = await connect(await token("col-b"));
    const now = Date.now();
    // Head-on along the east axis, 60 m apart, closing at 20 m/s: entry in 2.25 s.
    a.send([droneAt("col-a", LAT, LON, -30, 0, 10, 0, now)]);
    b.send([droneAt("col-b", LAT, LON, 30, 0, -10, 0, now)]);
    const fa = await a.waitFor((f) => f.kind.case === "alert", 5000, "alert on a");
    const fb = await b.waitFor((f) => f.kind.case === "alert", 5000, "alert on b");
    if (fa.kind.case !== "alert" || fb.kind.case !== "alert") throw new Error("unreachable");
    const x = fa.kind.value;
    const y = fb.kind.value;
    expect(x).toMatchObject({ droneId: "col-a", otherId: "col-b", level: AlertLevel.CAUTION });
    expect(y).toMatchObject({ droneId: "col-b", otherId: "col-a", level: AlertLevel.CAUTION });
    expect(x.alertId).toBe(y.alertId);
    expect(x.tEntryS).toBeCloseTo(2.25, 1);
    expect(x.hsepCpaM).toBeLessThan(1);
    expect(x.other?.droneId).toBe("col-b");
    expect(x.advisory).not.toBe(Manoeuvre.UNSPECIFIED);
    expect(y.advisory).not.toBe(Manoeuvre.UNSPECIFIED);
    // The start is logged with the trace context of the gateway batch that caused it.
    spy.mockRestore();
    const started = logged.filter((l) => l.includes('"alerts started"')).map((l) => JSON.parse(l) as { alerts: { alertId: string }[]; traceparent: string });
    expect(started.flatMap((e) => e.alerts.map((a) => a.alertId))).toContain(x.alertId);
    expect(started.some((e) => /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/.test(e.traceparent))).toBe(true);
    a.close();
    b.close();
  });

  it("does not alert two diverging drones", async () => {
    const a = await connect(await token("div-a"));
    const b = await connect(await token("div-b"));
    const now = Date.now();
    a.send([droneAt("div-a", LAT, LON + 0.01, -30, 0, -10, 0, now)]);
    b.send([droneAt("div-b", LAT, LON + 0.01, 30, 0, 10, 0, now)]);
    // Then a conflicting pair behind them on the same sockets: once its alert arrives, the diverging
    // points (earlier on the same links, applied in order) were evaluated too.
    a.send([droneAt("div-a", LAT, LON + 0.01, -10, 0, 5, 0, now + 100)]);
    b.send([droneAt("div-b", LAT, LON + 0.01, 10, 0, -5, 0, now + 100)]);
    const first = await a.waitFor((f) => f.kind.case === "alert");
    if (first.kind.case !== "alert") throw new Error("unreachable");
    expect(first.kind.value.computedForMs).toBe(BigInt(now + 100));
    expect(a.alerts().every((al) => al.computedForMs === BigInt(now + 100))).toBe(true);
    a.close();
    b.close();
  });

  it("tells a client whose points reach their region older than the stale limit (the edge is behind)", async () => {
    const d = await connect(await token("late-1"));
    const now = Date.now();
    d.send([droneAt("late-1", LAT, LON + 0.02, 0, 0, 1, 0, now - 4000)]);
    // Counted and announced at the region's next tick: one frame per link per second, not one per point.
    const f = await d.waitFor((x) => x.kind.case === "error" && x.kind.value.code === ErrorCode.STALE_ON_ARRIVAL, 5000, "a STALE_ON_ARRIVAL error");
    expect(f.kind.case === "error" && f.kind.value).toMatchObject({ droneId: "late-1", count: 1 });
    expect(f.kind.case === "error" && f.kind.value.message).toMatch(/stale limit/);
    // Late but still usable (2 s old): the edge says it is behind.
    const e = await connect(await token("late-2"));
    e.send([droneAt("late-2", LAT, LON + 0.03, 0, 0, 1, 0, Date.now() - 2000)]);
    const g = await e.waitFor((x) => x.kind.case === "error" && x.kind.value.code === ErrorCode.BEHIND, 5000, "a BEHIND error");
    expect(g.kind.case === "error" && g.kind.value.message).toMatch(/behind, so their alerts come late/);
    d.close();
    e.close();
  });

  it("accepts columnar, delta-encoded frames and alerts from them", async () => {
    const relay = await connect(await token("relay-cols", "relay"));
    await relay.waitFor((f) => f.kind.case === "welcome");
    const now = Date.now();
    const a = droneAt("cols-a", LAT + 0.02, LON, -30, 0, 10, 0, now);
    const b = droneAt("cols-b", LAT + 0.02, LON, 30, 0, -10, 0, now);
    // The pair's last 20 reports, 100 ms apart, then the ones that conflict.
    const history = Array.from({ length: 20 }, (_, i) => [
      droneAt("cols-a", LAT + 0.02, LON, -30 - (19 - i), 0, 10, 0, now - (19 - i) * 100),
      droneAt("cols-b", LAT + 0.02, LON, 30 + (19 - i), 0, -10, 0, now - (19 - i) * 100),
    ]).flat();
    // (The zstd WASM encoder does not load inside workerd; compressed columnar frames are unit-tested.)
    const frame = encodeTelemetryFrame(
      history.concat([a, b]).map((p) => ({ ...p, battery: 80, seq: undefined })),
      { columnar: true },
    );
    relay.sendRaw(frame);
    await relay.waitFor((f) => f.kind.case === "alert" && f.kind.value.droneId === "cols-a", 5000, "alert for a");
    await relay.waitFor((f) => f.kind.case === "alert" && f.kind.value.droneId === "cols-b", 5000, "alert for b");
    relay.close();
  });

  it("reads a relay's stream frames against the connection's state and alerts from them", async () => {
    const relay = await connect(await token("relay-stream", "relay"));
    const welcome = await relay.waitFor((f) => f.kind.case === "welcome");
    const max = welcome.kind.case === "welcome" ? welcome.kind.value.streamMaxDrones : 0;
    expect(max).toBeGreaterThan(0);
    // The per-relay drone limit (RELAY_MAX_DRONES, default 2000), so a relay knows when to open another connection.
    expect(welcome.kind.case === "welcome" ? welcome.kind.value.relayMaxDrones : 0).toBe(2000);
    const stream = new StreamEncoder(max);
    const now = Date.now();
    // One frame per 100 ms step, as a ground station sends them: ids once, then per-drone deltas.
    for (let i = 0; i < 20; i++) {
      const at = now - (19 - i) * 100;
      const step = [droneAt("st-a", LAT - 0.02, LON, -30 - (19 - i), 0, 10, 0, at), droneAt("st-b", LAT - 0.02, LON, 30 + (19 - i), 0, -10, 0, at)];
      relay.sendRaw(
        encodeTelemetryFrame(
          step.map((p) => ({ ...p, battery: 80 })),
          { stream },
        ),
      );
      stream.commit();
    }
    relay.sendRaw(
      encodeTelemetryFrame([droneAt("st-a", LAT - 0.02, LON, -30, 0, 10, 0, now + 100), droneAt("st-b", LAT - 0.02, LON, 30, 0, -10, 0, now + 100)], {
        stream,
      }),
    );
    stream.commit();
    const alert = await relay.waitFor((f) => f.kind.case === "alert" && f.kind.value.droneId === "st-a", 5000, "alert for a");
    await relay.waitFor((f) => f.kind.case === "alert" && f.kind.value.droneId === "st-b", 5000, "alert for b");
    // The other drone's state in the alert is what the last stream frame carried, decoded exactly.
    expect(alert.kind.case === "alert" && alert.kind.value.other?.latE7).toBe(Math.round((LAT - 0.02) * 1e7));
    relay.sendRaw(toBinary(ClientFrameSchema, create(ClientFrameSchema, { kind: { case: "ping", value: { nonce: 3n } } })));
    const pong = await relay.waitFor((f) => f.kind.case === "pong");
    expect(pong.kind.case === "pong" && pong.kind.value.counters).toMatchObject({ pointsReceived: 42n, pointsRejected: 0n });
    expect(relay.frames.some((f) => f.kind.case === "error")).toBe(false);
    relay.close();
  });
});
