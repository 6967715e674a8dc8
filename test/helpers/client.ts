/**
 * Test-side WebSocket client for the Workers runtime tests: opens /v1/connect through SELF, decodes
 * every ServerFrame, and waits for frames by predicate with a bound (never a bare sleep).
 */
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { env, SELF } from "cloudflare:test";
import { ClientFrameSchema, ServerFrameSchema, type ServerFrame } from "../../src/gen/airspace/v1/airspace_pb.js";
import { mintToken } from "../../src/client/token.js";
import type { TelemetryPoint } from "../../src/wire/point.js";
import { toWirePoint } from "../../src/wire/server-frames.js";

/** A token for the test edge: fleet "test" unless given ("*" for an all-fleets ops token), audience "airspace". */
export async function token(sub: string, role: "drone" | "relay" | "ops" = "drone", ttlS = 600, claims: Record<string, unknown> = {}): Promise<string> {
  return mintToken(env.AIRSPACE_JWT_SECRET as string, { sub, fleet: role === "ops" ? "*" : "test", role, ...claims }, { ttlS });
}

export interface TestClient {
  ws: WebSocket;
  frames: ServerFrame[];
  closed: { code: number; reason: string } | null;
  send(points: TelemetryPoint[]): void;
  sendRaw(bytes: Uint8Array | string): void;
  waitFor(pred: (f: ServerFrame) => boolean, timeoutMs?: number, what?: string): Promise<ServerFrame>;
  waitClosed(timeoutMs?: number): Promise<{ code: number; reason: string }>;
  alerts(): Extract<ServerFrame["kind"], { case: "alert" }>["value"][];
  close(): void;
}

export async function connect(tok: string, viaProtocol = false): Promise<TestClient> {
  const headers: Record<string, string> = { Upgrade: "websocket" };
  if (viaProtocol) headers["Sec-WebSocket-Protocol"] = `airspace.v1, bearer.${tok}`;
  else headers.Authorization = `Bearer ${tok}`;
  const resp = await SELF.fetch("https://airspace.test/v1/connect", { headers });
  if (resp.status !== 101 || !resp.webSocket) throw new Error(`connect failed: ${resp.status} ${await resp.text()}`);
  return testClient(resp.webSocket);
}

/** Wraps the client end of a socket (from SELF.fetch, or a WebSocketPair handed to a session directly). */
export function testClient(ws: WebSocket): TestClient {
  ws.accept();
  ws.binaryType = "arraybuffer";
  const frames: ServerFrame[] = [];
  const waiters = new Set<() => void>();
  const c: TestClient = {
    ws,
    frames,
    closed: null,
    send(points) {
      const base = points[0]?.timeMs ?? Date.now();
      const frame = create(ClientFrameSchema, {
        kind: { case: "telemetry", value: { baseTimeMs: BigInt(base), points: points.map((p) => toWirePoint(p, base)) } },
      });
      ws.send(toBinary(ClientFrameSchema, frame));
    },
    sendRaw(bytes) {
      ws.send(bytes);
    },
    waitFor(pred, timeoutMs = 5000, what = "frame") {
      return new Promise((resolve, reject) => {
        const check = () => {
          const f = frames.find(pred);
          if (f) {
            waiters.delete(check);
            clearTimeout(t);
            resolve(f);
          }
        };
        const t = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${frames.map((f) => f.kind.case).join(",")}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    waitClosed(timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (c.closed) {
            waiters.delete(check);
            clearTimeout(t);
            resolve(c.closed);
          }
        };
        const t = setTimeout(() => reject(new Error("socket did not close")), timeoutMs);
        waiters.add(check);
        check();
      });
    },
    alerts() {
      return frames.flatMap((f) => (f.kind.case === "alert" ? [f.kind.value] : []));
    },
    close() {
      try {
        ws.close(1000, "test done");
      } catch {
        // already closed
      }
    },
  };
  ws.addEventListener("message", (ev) => {
    frames.push(fromBinary(ServerFrameSchema, new Uint8Array(ev.data as ArrayBuffer)));
    for (const w of [...waiters]) w();
  });
  ws.addEventListener("close", (ev) => {
    c.closed = { code: ev.code, reason: ev.reason };
    for (const w of [...waiters]) w();
  });
  return c;
}

/** A ClientFrame ping, answered by a pong with the session's counters. */
export function ping(nonce: number): Uint8Array {
  return toBinary(ClientFrameSchema, create(ClientFrameSchema, { kind: { case: "ping", value: { nonce: BigInt(nonce) } } }));
}

/** A drone state `east`/`north` metres from (lat0, lon0), flying at (ve, vn) m/s, level. */
export function droneAt(
  droneId: string,
  lat0: number,
  lon0: number,
  east: number,
  north: number,
  ve: number,
  vn: number,
  timeMs = Date.now(),
  altM = 100,
): TelemetryPoint {
  const mPerDegLat = 111_120;
  return {
    droneId,
    timeMs,
    lat: lat0 + north / mPerDegLat,
    lon: lon0 + east / (mPerDegLat * Math.cos((lat0 * Math.PI) / 180)),
    altM,
    vn,
    ve,
    vu: 0,
    battery: 80,
    seq: -1,
  };
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 5000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
