// Issue 11, end to end: each finding's attack replayed against the real Worker and region objects, and
// now failing to do harm; then the auth matrix, every way in refused with its status or close code.
import { create, toBinary } from "@bufbuild/protobuf";
import { env, listDurableObjectIds, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { mintToken } from "../../src/client/token.js";
import { AlertLevel, ClientFrameSchema, ErrorCode } from "../../src/gen/airspace/v1/airspace_pb.js";
import { regionOf } from "../../src/geo/regions.js";
import { PING_BURST } from "../../src/tunables.js";
import { CloseCode } from "../../src/wire/close-codes.js";
import { paddedPingBomb } from "../helpers/bombs.js";
import { connect, droneAt, eventually, ping, type TestClient, token } from "../helpers/client.js";
import { signJwt, signRaw } from "../helpers/jwt.js";

const SECRET = env.AIRSPACE_JWT_SECRET as string;
const nowS = () => Math.floor(Date.now() / 1000);

function renewFrame(tok: string): Uint8Array {
  return toBinary(ClientFrameSchema, create(ClientFrameSchema, { kind: { case: "renew", value: { token: tok } } }));
}

async function connectStatus(tok: string | null): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { Upgrade: "websocket" };
  if (tok !== null) headers.Authorization = `Bearer ${tok}`;
  const r = await SELF.fetch("https://airspace.test/v1/connect", { headers });
  if (r.webSocket) {
    r.webSocket.accept();
    r.webSocket.close(1000);
  }
  return { status: r.status, body: r.status === 101 ? null : await r.json() };
}

/** Whether the region object for `cell` was ever created (it stores its key the moment it opens). */
async function regionExists(cell: string): Promise<boolean> {
  const id = env.REGION.idFromName(cell);
  return (await listDurableObjectIds(env.REGION)).some((x) => x.equals(id));
}

const errorsOf = (c: TestClient) => c.frames.flatMap((f) => (f.kind.case === "error" ? [f.kind.value] : []));

describe("finding 1: fleets are isolated, the sky is shared", () => {
  // Vienna: two drones of fleet "yy" head-on, an attacker relay of fleet "xx" names drone A.
  const lat = 48.21;
  const lon = 16.37;

  it("a relay of another fleet naming the victim's id stamped +1 s neither takes its alerts nor hides it", async () => {
    const a = await connect(await token("v-a", "drone", 600, { fleet: "yy" }));
    const b = await connect(await token("v-b", "drone", 600, { fleet: "yy" }));
    const attacker = await connect(await token("gs-evil", "relay", 600, { fleet: "xx" }));
    await Promise.all([a, b, attacker].map((c) => c.waitFor((f) => f.kind.case === "welcome")));
    const t0 = Date.now();
    // The attacker reports "v-a" one second ahead, at A's position: before issue 11, it became A's home link.
    attacker.send([droneAt("v-a", lat, lon, -50, 0, 10, 0, t0 + 1000)]);
    attacker.sendRaw(ping(1));
    await attacker.waitFor((f) => f.kind.case === "pong", 5000, "the attacker's point handled");
    a.send([droneAt("v-a", lat, lon, -50, 0, 10, 0, t0)]);
    b.send([droneAt("v-b", lat, lon, 50, 0, -10, 0, t0)]);
    const alertAB = await a.waitFor((f) => f.kind.case === "alert" && f.kind.value.otherId === "v-b", 5000, "A's alert about B");
    if (alertAB.kind.case !== "alert") throw new Error("unreachable");
    expect(alertAB.kind.value).toMatchObject({ droneId: "v-a", otherId: "v-b", otherFleet: "yy" });
    const onB = await b.waitFor(
      (f) => f.kind.case === "alert" && f.kind.value.otherId === "v-a" && f.kind.value.otherFleet === "yy",
      5000,
      "B's alert about A",
    );
    expect(onB.kind.case === "alert" && onB.kind.value.droneId).toBe("v-b");
    // The attacker's "v-a" is its own fleet's drone: any alert it gets is about its phantom, never A's.
    for (const al of attacker.alerts()) expect(al.droneId).toBe("v-a");
    expect(a.alerts().every((al) => al.droneId === "v-a")).toBe(true);
    // The shared sky: the phantom flies 10 m from A, so A is told about it too, as fleet xx's drone.
    await a.waitFor((f) => f.kind.case === "alert" && f.kind.value.otherFleet === "xx" && f.kind.value.otherId === "v-a", 5000, "A's alert about xx/v-a");
    for (const c of [a, b, attacker]) c.close();
  });

  it("a point stamped 9 s ahead is refused, so a pair reaching warning is alerted on both sides", async () => {
    const a = await connect(await token("w-a", "drone", 600, { fleet: "yy" }));
    const b = await connect(await token("w-b", "drone", 600, { fleet: "yy" }));
    const t0 = Date.now();
    a.send([droneAt("w-a", lat + 0.01, lon, -20, 0, 10, 0, t0 + 9000)]); // the clock glitch (or the attack)
    const err = await a.waitFor((f) => f.kind.case === "error" && f.kind.value.code === ErrorCode.INVALID_POINT, 5000, "the refusal");
    expect(err.kind.case === "error" && err.kind.value.message).toMatch(/future/);
    a.send([droneAt("w-a", lat + 0.01, lon, -20, 0, 10, 0, t0)]);
    b.send([droneAt("w-b", lat + 0.01, lon, 20, 0, -10, 0, t0)]);
    for (const c of [a, b]) await c.waitFor((f) => f.kind.case === "alert" && f.kind.value.level === AlertLevel.WARNING, 5000, "a warning");
    a.close();
    b.close();
  });

  it("a relay limited to a prefix or a drones list is refused any other id", async () => {
    const relay = await connect(await token("gs-x", "relay", 600, { fleet: "xx", prefix: "xx-", drones: ["xx-1", "xx-2"] }));
    relay.send([droneAt("v-a", lat, lon, 0, 0, 0, 0), droneAt("xx-3", lat, lon, 5, 0, 0, 0), droneAt("xx-1", lat, lon, 10, 0, 0, 0)]);
    const e = await relay.waitFor((f) => f.kind.case === "error" && f.kind.value.code === ErrorCode.WRONG_DRONE, 5000, "WRONG_DRONE");
    expect(e.kind.case === "error" && e.kind.value.count).toBe(2);
    relay.sendRaw(ping(1));
    const pong = await relay.waitFor((f) => f.kind.case === "pong");
    expect(pong.kind.case === "pong" && pong.kind.value.counters).toMatchObject({ pointsRejected: 2n, pointsAccepted: 1n });
    relay.close();
  });

  it("an operator sees its own fleet's drones; an all-fleets operator sees every fleet", async () => {
    const cell = regionOf(lat + 0.02, lon, 4);
    const relayY = await connect(await token("gs-y", "relay", 600, { fleet: "yy" }));
    const relayZ = await connect(await token("gs-z", "relay", 600, { fleet: "zz" }));
    relayY.send([droneAt("seen-1", lat + 0.02, lon, 0, 0, 0, 0)]);
    relayZ.send([droneAt("seen-1", lat + 0.02, lon, 3000, 0, 0, 0)]);
    const list = async (fleet: string) => {
      const r = await SELF.fetch(`https://airspace.test/v1/regions/${cell}/drones`, {
        headers: { Authorization: `Bearer ${await token("op", "ops", 600, { fleet })}` },
      });
      const ids = ((await r.json()) as { drones: { droneId: string }[] }).drones.map((d) => d.droneId);
      return ids.filter((id) => id.endsWith("/seen-1")).sort(); // other tests fly in this cell too
    };
    for (let i = 0; i < 100 && (await list("*")).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await list("*")).toEqual(["yy/seen-1", "zz/seen-1"]);
    expect(await list("yy")).toEqual(["yy/seen-1"]);
    const track = await SELF.fetch(`https://airspace.test/v1/regions/${cell}/drones/seen-1/track`, {
      headers: { Authorization: `Bearer ${await token("op", "ops", 600, { fleet: "zz" })}` },
    });
    expect(track.status).toBe(200);
    expect(((await track.json()) as { droneId: string }).droneId).toBe("zz/seen-1");
    relayY.close();
    relayZ.close();
  });
});

describe("finding 2: a token cannot wake regions it sends nothing admitted to", () => {
  it("over-rate points to ten distant cells wake no region object", async () => {
    const d = await connect(await token("waker", "drone", 600, { fleet: "yy" }));
    const t0 = Date.now();
    // The burst, at home (Graz), then ten points in ten cells across Europe: all over the rate.
    d.send(Array.from({ length: 40 }, (_, i) => droneAt("waker", 47.07, 15.44, i * 0.5, 0, 1, 0, t0 - 2000 + i)));
    const far = Array.from({ length: 10 }, (_, i) => droneAt("waker", 40 + i, -5 + 2 * i, 0, 0, 0, 0, t0 - 100 + i));
    d.send(far);
    d.sendRaw(ping(1));
    const pong = await d.waitFor((f) => f.kind.case === "pong");
    expect(pong.kind.case === "pong" && pong.kind.value.counters?.pointsRateLimited).toBeGreaterThanOrEqual(10n);
    await new Promise((r) => setTimeout(r, 300)); // longer than a batch window: nothing waits
    for (const p of far) expect(await regionExists(regionOf(p.lat, p.lon, 4)), regionOf(p.lat, p.lon, 4)).toBe(false);
    expect(await regionExists(regionOf(47.07, 15.44, 4))).toBe(true);
    d.close();
  });
});

describe("finding 3: limits before work", () => {
  it("a ping flood gets at most the ping burst of pongs", async () => {
    const c = await connect(await token("pinger", "drone", 600, { fleet: "yy" }));
    await c.waitFor((f) => f.kind.case === "welcome");
    for (let i = 0; i < 200; i++) c.sendRaw(ping(i));
    await c.waitFor((f) => f.kind.case === "pong", 5000, "a pong");
    await new Promise((r) => setTimeout(r, 1000)); // every ping handled (no frame marks the end: the frame budget is spent)
    const pongs = c.frames.filter((f) => f.kind.case === "pong").length;
    expect(pongs).toBeGreaterThanOrEqual(1);
    expect(pongs).toBeLessThanOrEqual(PING_BURST + 1);
    c.close();
  });

  it("1 MiB padded-ping bombs are answered once, never kept, and the flood ends in 1008", async () => {
    const c = await connect(await token("bomber", "drone", 600, { fleet: "yy" }));
    await c.waitFor((f) => f.kind.case === "welcome");
    const bomb = paddedPingBomb();
    expect(bomb.length).toBeLessThan(64);
    const timer = setInterval(() => {
      if (!c.closed) c.sendRaw(bomb);
    }, 50);
    try {
      const closed = await c.waitClosed(20_000);
      expect(closed.code).toBe(CloseCode.POLICY);
    } finally {
      clearInterval(timer);
    }
    expect(c.frames.filter((f) => f.kind.case === "pong").length).toBeLessThanOrEqual(1);
    expect(errorsOf(c).some((e) => e.code === ErrorCode.POLICY)).toBe(true);
  }, 30_000);
});

describe("finding 4: credentials with a lifecycle", () => {
  it("closes the socket at exp with 4001", async () => {
    const tok = await signJwt({ sub: "short-1", role: "drone", fleet: "yy", aud: "airspace", exp: nowS() + 2 }, SECRET);
    const c = await connect(tok);
    const w = await c.waitFor((f) => f.kind.case === "welcome");
    expect(w.kind.case === "welcome" && Number(w.kind.value.expiresAtMs)).toBeGreaterThan(Date.now());
    const closed = await c.waitClosed(5000);
    expect(closed.code).toBe(CloseCode.TOKEN_EXPIRED);
    expect(errorsOf(c).some((e) => e.code === ErrorCode.AUTH && /expired/.test(e.message))).toBe(true);
  });

  it("keeps a socket renewed in-band past its first token's exp; refuses a renewal for someone else or a revoked one", async () => {
    const claims = { sub: "renew-1", role: "drone", fleet: "yy", aud: "airspace" };
    const c = await connect(await signJwt({ ...claims, exp: nowS() + 2 }, SECRET));
    await c.waitFor((f) => f.kind.case === "welcome");
    c.sendRaw(renewFrame(await signJwt({ ...claims, sub: "renew-2", exp: nowS() + 600 }, SECRET)));
    await c.waitFor((f) => f.kind.case === "error" && f.kind.value.code === ErrorCode.AUTH, 5000, "refused: another subject");
    c.sendRaw(renewFrame(await signJwt({ ...claims, exp: nowS() + 600, jti: "revoked-1" }, SECRET)));
    await c.waitFor((f) => f.kind.case === "error" && f.kind.value.code === ErrorCode.AUTH && /revoked/.test(f.kind.value.message), 5000, "refused: revoked");
    c.sendRaw(renewFrame(await signJwt({ ...claims, exp: nowS() + 600 }, SECRET)));
    const renewed = await c.waitFor((f) => f.kind.case === "renewed", 5000, "renewed");
    expect(renewed.kind.case === "renewed" && Number(renewed.kind.value.expiresAtMs)).toBeGreaterThan(Date.now() + 500_000);
    await new Promise((r) => setTimeout(r, 3000));
    expect(c.closed).toBeNull();
    c.sendRaw(ping(5));
    await c.waitFor((f) => f.kind.case === "pong");
    c.close();
  });
});

describe("the auth matrix: every way in refused with its status or close code", () => {
  const good = { sub: "m-1", role: "drone", fleet: "yy", aud: "airspace" };
  const exp = () => nowS() + 600;

  it("refuses at the upgrade: 401 for bad credentials, 403 for the wrong role, 429 past the per-token cap", async () => {
    const h = (x: unknown) => btoa(JSON.stringify(x)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    const cases: [string, string | null, number, RegExp][] = [
      ["no token", null, 401, /missing bearer token/],
      ["malformed", "abc.def", 401, /malformed/],
      ["wrong signature", await signJwt({ ...good, exp: exp() }, "another-secret-another-secret-xx"), 401, /signature/],
      ["expired", await signJwt({ ...good, exp: nowS() - 1 }, SECRET), 401, /expired/],
      ["wrong aud", await signJwt({ ...good, aud: "elsewhere", exp: exp() }, SECRET), 401, /audience/],
      ["no aud", await signJwt({ sub: "m-1", role: "drone", fleet: "yy", exp: exp() }, SECRET), 401, /audience/],
      ["alg none", `${h({ alg: "none", typ: "JWT" })}.${h({ ...good, exp: exp() })}.`, 401, /algorithm/],
      ["wrong kid", await signRaw({ alg: "HS256", kid: "k-1999" }, { ...good, exp: exp() }, SECRET), 401, /kid/],
      ["revoked", await signJwt({ ...good, exp: exp(), jti: "revoked-2" }, SECRET), 401, /revoked/],
      ["no role", await signJwt({ sub: "m-1", fleet: "yy", aud: "airspace", exp: exp() }, SECRET), 401, /no role/],
      ["no fleet", await signJwt({ sub: "m-1", role: "drone", aud: "airspace", exp: exp() }, SECRET), 401, /fleet/],
      ["ops sending telemetry", await token("m-ops", "ops"), 403, /ops tokens cannot send telemetry/],
    ];
    for (const [what, tok, status, why] of cases) {
      const r = await connectStatus(tok);
      expect(r.status, what).toBe(status);
      expect(JSON.stringify(r.body), what).toMatch(why);
    }
    // A key of AIRSPACE_JWT_KEYS, by its kid: rotation means two keys in force at once.
    const kidTok = await mintToken("kid-2026-secret-of-at-least-32-bytes", { sub: "m-kid", fleet: "yy" }, { kid: "k-2026" });
    expect((await connectStatus(kidTok)).status).toBe(101);
    expect((await connectStatus(await token("m-legacy", "drone", 600, { fleet: "yy" }))).status).toBe(101);
    // TOKEN_MAX_CONNECTIONS (4) sockets per token in this isolate; the fifth is refused, and a closed one frees its slot.
    const capped = await token("m-cap", "drone", 600, { fleet: "yy", jti: "cap-1" });
    const open = await Promise.all([1, 2, 3, 4].map(() => connect(capped)));
    expect(await connectStatus(capped)).toMatchObject({ status: 429, body: { error: "too_many_connections" } });
    open[0]!.close();
    await open[0]!.waitClosed();
    let status = 0;
    for (let i = 0; i < 50 && status !== 101; i++) {
      status = (await connectStatus(capped)).status;
      if (status !== 101) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(101);
    for (const c of open) c.close();
  });

  it("refuses drone and relay tokens on every ops endpoint (403), and a drone's points of another drone (WRONG_DRONE)", async () => {
    const droneTok = await token("m-2", "drone", 600, { fleet: "yy" });
    const relayTok = await token("m-gs", "relay", 600, { fleet: "yy" });
    const views = ["drones", "alerts", "events", "metrics", "stats"].map((v) => ["GET", `/v1/regions/u2ed/${v}`]);
    const endpoints = [["GET", "/v1/regions"], ...views, ["GET", "/v1/regions/u2ed/drones/m-2/track"], ["POST", "/v1/regions/u2ed/hubs?hubs=1"]];
    for (const tok of [droneTok, relayTok]) {
      for (const [method, path] of endpoints) {
        const r = await SELF.fetch(`https://airspace.test${path}`, { method, headers: { Authorization: `Bearer ${tok}` } });
        expect(r.status, `${method} ${path}`).toBe(403);
      }
      const stream = await SELF.fetch("https://airspace.test/v1/ops/stream?region=u2ed", { headers: { Upgrade: "websocket", Authorization: `Bearer ${tok}` } });
      expect(stream.status, "the ops stream").toBe(403);
    }
    const c = await connect(droneTok);
    c.send([droneAt("m-3", 48.3, 16.4, 0, 0, 0, 0)]);
    const e = await c.waitFor((f) => f.kind.case === "error", 5000, "the refusal");
    expect(e.kind.case === "error" && e.kind.value).toMatchObject({ code: ErrorCode.WRONG_DRONE, droneId: "m-3" });
    c.close();
  });

  it("a relay of another fleet cannot write this fleet's drone, by its id or by its key: its points are its own fleet's", async () => {
    const [lat, lon] = [48.25, 16.3];
    const victim = await connect(await token("m-v", "drone", 600, { fleet: "yy" }));
    const relay = await connect(await token("m-gs-xx", "relay", 600, { fleet: "xx" }));
    victim.send([droneAt("m-v", lat, lon, 0, 0, 0, 0)]);
    relay.send([droneAt("m-v", lat, lon, 500, 0, 0, 0, Date.now() + 900), droneAt("yy/m-v", lat, lon, 900, 0, 0, 0, Date.now() + 900)]);
    const keys = async (fleet: string) => {
      const r = await SELF.fetch(`https://airspace.test/v1/regions/${regionOf(lat, lon, 4)}/drones`, {
        headers: { Authorization: `Bearer ${await token("op", "ops", 600, { fleet })}` },
      });
      return ((await r.json()) as { drones: { droneId: string; lon: number }[] }).drones.filter((d) => d.droneId.endsWith("m-v"));
    };
    await eventually(async () => (await keys("*")).length === 3, 5000, "three drones");
    expect((await keys("*")).map((d) => d.droneId).sort()).toEqual(["xx/m-v", "xx/yy/m-v", "yy/m-v"]);
    const mine = await keys("yy");
    expect(mine.map((d) => d.droneId)).toEqual(["yy/m-v"]);
    expect(mine[0]!.lon).toBeCloseTo(lon, 6); // the victim's own position, not the relay's
    victim.close();
    relay.close();
  });

  it("never answers with the subprotocol a client did not offer", async () => {
    const r = await SELF.fetch("https://airspace.test/v1/connect", {
      headers: { Upgrade: "websocket", Authorization: `Bearer ${await token("m-4", "drone", 600, { fleet: "yy" })}` },
    });
    expect(r.status).toBe(101);
    expect(r.headers.get("Sec-WebSocket-Protocol")).toBeNull();
    r.webSocket!.accept();
    r.webSocket!.close(1000);
  });
});
