import { create, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { ClientFrameSchema, ErrorCode, TelemetryStreamSchema } from "../../src/gen/airspace/v1/airspace_pb.js";
import { connect, droneAt, ping, token } from "../helpers/client.js";

const LAT = 52.52;
const LON = 13.405;

describe("bad input never crashes or stalls anything", () => {
  it("answers an undecodable frame with an error frame and keeps the socket open", async () => {
    const c = await connect(await token("bad-1"));
    c.sendRaw(new Uint8Array([0xff, 0xff, 0xff, 0x01, 0x02]));
    const err = await c.waitFor((f) => f.kind.case === "error");
    expect(err.kind.case === "error" && err.kind.value.code).toBe(ErrorCode.BAD_FRAME);
    c.sendRaw(ping(7));
    const pong = await c.waitFor((f) => f.kind.case === "pong");
    expect(pong.kind.case === "pong" && pong.kind.value.nonce).toBe(7n);
    expect(c.closed).toBeNull();
    c.close();
  });

  it("rejects text frames as bad frames", async () => {
    const c = await connect(await token("bad-text"));
    c.sendRaw("hello");
    const err = await c.waitFor((f) => f.kind.case === "error");
    expect(err.kind.case === "error" && err.kind.value.message).toMatch(/text frames/);
    c.close();
  });

  it("closes with 1008 after more than 10 bad frames in 10 s", async () => {
    const c = await connect(await token("bad-many"));
    for (let i = 0; i < 11; i++) c.sendRaw(new Uint8Array([0xff, 0xff, 0xff]));
    const closed = await c.waitClosed();
    expect(closed.code).toBe(1008);
    expect(c.frames.some((f) => f.kind.case === "error" && f.kind.value.code === ErrorCode.POLICY)).toBe(true);
    expect(c.frames.filter((f) => f.kind.case === "error" && f.kind.value.code === ErrorCode.BAD_FRAME)).toHaveLength(11);
  });

  it("ends the connection with 1007 when a stream frame cannot be read against its state", async () => {
    const c = await connect(await token("bad-stream", "relay"));
    await c.waitFor((f) => f.kind.case === "welcome");
    // Names drone 3 of a table that holds only the implicit drone: every later delta would be garbage.
    const stream = create(TelemetryStreamSchema, { baseTimeDeltaMs: BigInt(Date.now()), points: 1, droneRef: [3], latE7: [525_200_000], lonE7: [134_050_000] });
    c.sendRaw(toBinary(ClientFrameSchema, create(ClientFrameSchema, { kind: { case: "stream", value: stream } })));
    const closed = await c.waitClosed();
    expect(closed.code).toBe(1007);
    const err = c.frames.find((f) => f.kind.case === "error");
    expect(err?.kind.case === "error" && err.kind.value).toMatchObject({ code: ErrorCode.STREAM, message: expect.stringMatching(/names drone 3 of 1/) });
  });

  it("answers an empty frame as a bad frame", async () => {
    const c = await connect(await token("bad-empty"));
    c.sendRaw(new Uint8Array(0));
    const err = await c.waitFor((f) => f.kind.case === "error");
    expect(err.kind.case === "error" && err.kind.value.code).toBe(ErrorCode.BAD_FRAME);
    expect(c.closed).toBeNull();
    c.close();
  });

  it("closes with 1009 on a frame over 1 MiB", async () => {
    const c = await connect(await token("bad-big"));
    c.sendRaw(new Uint8Array(1024 * 1024 + 1));
    const closed = await c.waitClosed();
    expect(closed.code).toBe(1009);
    expect(c.frames.some((f) => f.kind.case === "error" && f.kind.value.code === ErrorCode.FRAME_TOO_LARGE)).toBe(true);
  });

  it("drops another drone's points on a drone token with an error frame", async () => {
    const c = await connect(await token("honest-1"));
    c.send([droneAt("someone-else", LAT, LON, 0, 0, 1, 0)]);
    const err = await c.waitFor((f) => f.kind.case === "error");
    expect(err.kind.case === "error" && err.kind.value).toMatchObject({ code: ErrorCode.WRONG_DRONE, droneId: "someone-else", count: 1 });
    c.sendRaw(ping(1));
    const pong = await c.waitFor((f) => f.kind.case === "pong");
    expect(pong.kind.case === "pong" && pong.kind.value.counters).toMatchObject({ pointsReceived: 1n, pointsAccepted: 0n, pointsRejected: 1n });
    c.close();
  });

  it("rejects out-of-range points one by one with a counted reason, keeping the good ones", async () => {
    const relay = await connect(await token("relay-bad", "relay"));
    const now = Date.now();
    relay.send([
      droneAt("ok-1", LAT, LON, 0, 0, 1, 0, now),
      { ...droneAt("bad-lat", LAT, LON, 0, 0, 1, 0, now), lat: 91 },
      { ...droneAt("bad-speed", LAT, LON, 0, 0, 1, 0, now), vn: 150 },
      { ...droneAt("bad-future", LAT, LON, 0, 0, 1, 0, now), timeMs: now + 60_000 },
      { ...droneAt("bad-battery", LAT, LON, 0, 0, 1, 0, now), battery: 180 },
    ]);
    const err = await relay.waitFor((f) => f.kind.case === "error");
    expect(err.kind.case === "error" && err.kind.value).toMatchObject({ code: ErrorCode.INVALID_POINT, count: 4 });
    relay.sendRaw(ping(2));
    const pong = await relay.waitFor((f) => f.kind.case === "pong");
    expect(pong.kind.case === "pong" && pong.kind.value.counters).toMatchObject({ pointsReceived: 5n, pointsAccepted: 1n, pointsRejected: 4n });
    relay.close();
  });

  it("refuses a relay point without a drone id", async () => {
    const relay = await connect(await token("relay-noid", "relay"));
    relay.send([{ ...droneAt("", LAT, LON, 0, 0, 1, 0) }]);
    const err = await relay.waitFor((f) => f.kind.case === "error");
    expect(err.kind.case === "error" && err.kind.value.code).toBe(ErrorCode.INVALID_POINT);
    relay.close();
  });

  it("sends a rate-limit notice and drops points above the drone's bucket", async () => {
    const c = await connect(await token("fast-1"));
    const now = Date.now();
    // 60 distinct points at once: the burst is 40.
    c.send(Array.from({ length: 60 }, (_, i) => droneAt("fast-1", LAT, LON, i * 2, 0, 1, 0, now - 60 + i)));
    const n = await c.waitFor((f) => f.kind.case === "rateLimit");
    expect(n.kind.case === "rateLimit" && n.kind.value.dropped).toBe(20);
    expect(n.kind.case === "rateLimit" && n.kind.value.retryAfterMs).toBeGreaterThan(0);
    c.sendRaw(ping(3));
    const pong = await c.waitFor((f) => f.kind.case === "pong");
    expect(pong.kind.case === "pong" && pong.kind.value.counters).toMatchObject({ pointsReceived: 60n, pointsRateLimited: 20n, pointsAccepted: 40n });
    c.close();
  });
});
