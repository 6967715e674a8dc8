// The `fetcher` path (a Worker's fetch with Upgrade: websocket), in Node against a stand-in for the
// upgraded Workers socket: what the upgrade request carries, that the socket is accepted only once the
// client listens, and a refused upgrade. The real thing runs in workerd: package-in-worker.workers.test.ts.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { DroneClient } from "../../src/client/drone.js";
import type { FetcherLike, UpgradeResponse } from "../../src/client/fetch-socket.js";
import { ClientFrameSchema, ServerFrameSchema } from "../../src/gen/airspace/v1/airspace_pb.js";

/** An upgraded Workers socket: EventTarget, open from the start, delivering nothing before accept(). */
class FakeUpgraded extends EventTarget {
  readyState = 1;
  binaryType = "blob";
  protocol: string | null = null;
  accepted = false;
  readonly sent: Uint8Array[] = [];
  closedWith: number | null = null;
  accept(): void {
    if (this.accepted) throw new Error("accepted twice");
    this.accepted = true;
  }
  send(data: Uint8Array): void {
    this.sent.push(data);
  }
  close(code = 1000): void {
    this.closedWith = code;
    this.readyState = 3;
  }
  deliver(kind: Parameters<typeof create<typeof ServerFrameSchema>>[1]): void {
    if (!this.accepted) throw new Error("a message before accept() is lost");
    const bytes = toBinary(ServerFrameSchema, create(ServerFrameSchema, kind));
    this.dispatchEvent(Object.assign(new Event("message"), { data: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) }));
  }
  peerClose(code: number): void {
    this.readyState = 3;
    this.dispatchEvent(Object.assign(new Event("close"), { code, reason: "bye" }));
  }
}

function fetcher(answer: (url: string) => UpgradeResponse) {
  const requests: { url: string; headers: Record<string, string> }[] = [];
  const f: FetcherLike = {
    fetch: async (url, init) => {
      requests.push({ url, headers: init.headers });
      return answer(url);
    },
  };
  return { f, requests };
}

const welcome = {
  kind: { case: "welcome" as const, value: { sessionId: "s1", role: "drone", maxPointsPerFrame: 50, batchWindowMs: 5, maxFrameBytes: 1 << 20 } },
};

describe("DroneClient through a fetcher", () => {
  it("upgrades over http(s) with the token as a header, accepts once listening, and sends on the socket", async () => {
    const sock = new FakeUpgraded();
    const { f, requests } = fetcher(() => ({ status: 101, webSocket: sock, text: async () => "" }));
    const c = new DroneClient({ url: "wss://edge.example", token: "jwt-1", fetcher: f, pingIntervalMs: 0, reconnect: false });
    const welcomed = c.connect();
    await new Promise((r) => setTimeout(r, 5));
    expect(requests).toEqual([{ url: "https://edge.example/v1/connect", headers: { Upgrade: "websocket", Authorization: "Bearer jwt-1" } }]);
    expect(sock.accepted).toBe(true);
    expect(sock.binaryType).toBe("arraybuffer");
    sock.deliver(welcome);
    expect((await welcomed).sessionId).toBe("s1");
    c.send({ timeMs: 1000, lat: 47, lon: 8, altM: 100, vn: 0, ve: 1, vu: 0 });
    c.flush();
    expect(sock.sent).toHaveLength(1);
    expect(fromBinary(ClientFrameSchema, sock.sent[0]!).kind.case).toBe("telemetry");
    const closed = c.next("close");
    sock.peerClose(1011);
    expect(await closed).toMatchObject({ code: 1011, willReconnect: false });
  });

  it("puts the token in the subprotocols with auth: protocol, and ws:// becomes http://", async () => {
    const sock = new FakeUpgraded();
    const { f, requests } = fetcher(() => ({ status: 101, webSocket: sock, text: async () => "" }));
    const c = new DroneClient({ url: "ws://127.0.0.1:8787/v1/connect", token: "jwt-2", fetcher: f, auth: "protocol", pingIntervalMs: 0 });
    const welcomed = c.connect();
    await new Promise((r) => setTimeout(r, 5));
    expect(requests[0]).toEqual({
      url: "http://127.0.0.1:8787/v1/connect",
      headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": "airspace.v1, bearer.jwt-2" },
    });
    sock.deliver(welcome);
    await welcomed;
    c.close();
    expect(sock.closedWith).toBe(1000);
  });

  it("reports a refused upgrade with its status and body, and retries it like any failed connect", async () => {
    const { f, requests } = fetcher(() => ({ status: 401, text: async () => '{"error":"unauthorized"}' }));
    const c = new DroneClient({
      url: "wss://edge.example",
      token: "bad",
      fetcher: f,
      pingIntervalMs: 0,
      maxReconnectAttempts: 1,
      backoff: { baseMs: 1, maxMs: 1 },
    });
    const errors: unknown[] = [];
    c.on("error", (e) => errors.push(e.error));
    await expect(c.connect()).rejects.toThrow(/closed before welcome/);
    expect(requests).toHaveLength(2);
    expect(String(errors[0])).toBe('Error: WebSocket upgrade refused: HTTP 401 {"error":"unauthorized"}');
  });

  it("refuses both a WebSocket constructor and a fetcher", async () => {
    const { f } = fetcher(() => ({ status: 500, text: async () => "" }));
    const c = new DroneClient({ url: "wss://edge.example", token: "t", fetcher: f, WebSocket: class {} as never });
    await expect(c.connect()).rejects.toThrow(/either a WebSocket constructor or a fetcher/);
  });
});
