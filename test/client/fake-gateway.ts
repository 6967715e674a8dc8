/**
 * A loopback stand-in for the gateway in client tests: welcomes, records telemetry, answers pings
 * with counters. Not the real gateway (that runs in workerd); only what the client depends on.
 */
import { create, fromBinary, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { decompress } from "fzstd";
import { WebSocketServer, type WebSocket as ServerSocket } from "ws";
import { ClientFrameSchema, ServerFrameSchema } from "../../src/gen/airspace/v1/airspace_pb.js";

export class FakeGateway {
  readonly wss: WebSocketServer;
  readonly sessions: { sock: ServerSocket; auth: string; protocol: string; points: string[]; frames: number[] }[] = [];
  private waiters: (() => boolean)[] = [];
  readonly listening: Promise<void>;
  compressedFrames = 0;

  constructor() {
    this.wss = new WebSocketServer({ host: "127.0.0.1", port: 0, handleProtocols: (ps) => (ps.has("airspace.v1") ? "airspace.v1" : false) });
    this.listening = new Promise((r) => this.wss.once("listening", () => r()));
    this.wss.on("connection", (sock, req) => {
      const protos = String(req.headers["sec-websocket-protocol"] ?? "");
      const s = { sock, auth: String(req.headers.authorization ?? ""), protocol: protos, points: [] as string[], frames: [] as number[] };
      this.sessions.push(s);
      this.send(sock, { case: "welcome", value: { sessionId: `s${this.sessions.length}`, role: "drone", maxPointsPerFrame: 5, batchWindowMs: 10, maxFrameBytes: 1 << 20 } });
      sock.on("message", (data: Buffer) => {
        let bytes: Uint8Array = new Uint8Array(data);
        if (bytes[0] === 0x28 && bytes[1] === 0xb5 && bytes[2] === 0x2f && bytes[3] === 0xfd) {
          bytes = decompress(bytes);
          this.compressedFrames++;
        }
        const f = fromBinary(ClientFrameSchema, bytes);
        if (f.kind.case === "telemetry") {
          s.frames.push(f.kind.value.points.length);
          for (const p of f.kind.value.points) s.points.push(`${p.droneId}@${Number(f.kind.value.baseTimeMs) + p.tOffsetMs}`);
        } else if (f.kind.case === "ping") {
          this.send(sock, { case: "pong", value: { nonce: f.kind.value.nonce, counters: { pointsAccepted: BigInt(s.points.length) } } });
        }
        this.wake();
      });
      this.wake();
    });
  }

  get url(): string {
    const addr = this.wss.address();
    if (typeof addr === "string" || !addr) throw new Error("no port");
    return `ws://127.0.0.1:${addr.port}`;
  }

  send(sock: ServerSocket, kind: MessageInitShape<typeof ServerFrameSchema>["kind"]): void {
    sock.send(toBinary(ServerFrameSchema, create(ServerFrameSchema, { kind })));
  }

  /** Resolves once `cond` holds (checked on every server event), failing after `ms`. */
  until(cond: () => boolean, ms = 3000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("timed out waiting for the fake gateway")), ms);
      const check = () => {
        if (!cond()) return false;
        clearTimeout(timer);
        resolve();
        return true;
      };
      if (!check()) this.waiters.push(check);
    });
  }

  private wake(): void {
    this.waiters = this.waiters.filter((w) => !w());
  }

  close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    return new Promise((r) => this.wss.close(() => r()));
  }
}


export async function startGateway(): Promise<FakeGateway> {
  const g = new FakeGateway();
  await g.listening;
  return g;
}
