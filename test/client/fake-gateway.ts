/**
 * A loopback stand-in for the gateway in client tests: welcomes, records telemetry, answers pings
 * with counters. Not the real gateway (that runs in workerd); only what the client depends on.
 */
import { create, fromBinary, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import type { IncomingMessage } from "node:http";
import { decompress } from "fzstd";
import { WebSocketServer, type WebSocket as ServerSocket } from "ws";
import { ClientFrameSchema, ServerFrameSchema, type Point } from "../../src/gen/airspace/v1/airspace_pb.js";
import { decodeColumns } from "../../src/wire/columns.js";
import { StreamDecoder } from "../../src/wire/telemetry-stream.js";

export class FakeGateway {
  readonly wss: WebSocketServer;
  readonly sessions: { sock: ServerSocket; token: string; auth: string; protocol: string; points: string[]; frames: number[]; kinds: string[] }[] = [];
  /** Announced in the welcome; 0 plays a gateway from before TelemetryStream. */
  streamMaxDrones = 0;
  /** Role announced in the welcome. */
  role = "drone";
  /** The per-relay drone limit and per-drone rate announced (0: not announced, as an older gateway). */
  relayMaxDrones = 0;
  pointsPerSecond = 0;
  burstPoints = 0;
  /** Sockets one token may hold open (0: no cap), as TOKEN_MAX_CONNECTIONS. */
  tokenCap = 0;
  /** Points each pong leaves uncounted, halved by every pong (a gateway catching up with its frames). */
  pongBacklog = 0;
  private waiters: (() => boolean)[] = [];
  readonly listening: Promise<void>;
  compressedFrames = 0;

  constructor() {
    this.wss = new WebSocketServer({
      host: "127.0.0.1",
      port: 0,
      handleProtocols: (ps) => (ps.has("airspace.v1") ? "airspace.v1" : false),
      // TOKEN_MAX_CONNECTIONS: an upgrade over a token's cap is refused with 429.
      verifyClient: (info, done) => {
        const token = tokenOf(info.req);
        const open = this.sessions.filter((x) => x.token === token && x.sock.readyState === x.sock.OPEN).length;
        if (this.tokenCap > 0 && open >= this.tokenCap) done(false, 429, "too many connections for this token");
        else done(true);
      },
    });
    this.listening = new Promise((r) => this.wss.once("listening", () => r()));
    this.wss.on("connection", (sock, req) => {
      const protos = String(req.headers["sec-websocket-protocol"] ?? "");
      const s = {
        sock,
        token: tokenOf(req),
        auth: String(req.headers.authorization ?? ""),
        protocol: protos,
        points: [] as string[],
        frames: [] as number[],
        kinds: [] as string[],
      };
      this.sessions.push(s);
      const stream = new StreamDecoder(this.streamMaxDrones);
      this.send(sock, {
        case: "welcome",
        value: {
          sessionId: `s${this.sessions.length}`,
          role: this.role,
          maxPointsPerFrame: 5,
          batchWindowMs: 10,
          maxFrameBytes: 1 << 20,
          streamMaxDrones: this.streamMaxDrones,
          relayMaxDrones: this.relayMaxDrones,
          pointsPerSecond: this.pointsPerSecond,
          burstPoints: this.burstPoints,
        },
      });
      sock.on("message", (data: Buffer) => {
        let bytes: Uint8Array = new Uint8Array(data);
        if (bytes[0] === 0x28 && bytes[1] === 0xb5 && bytes[2] === 0x2f && bytes[3] === 0xfd) {
          bytes = decompress(bytes);
          this.compressedFrames++;
        }
        const f = fromBinary(ClientFrameSchema, bytes);
        const record = (base: bigint, points: Point[]) => {
          s.frames.push(points.length);
          for (const p of points) s.points.push(`${p.droneId}@${Number(base) + p.tOffsetMs}`);
        };
        if (f.kind.case) s.kinds.push(f.kind.case);
        if (f.kind.case === "telemetry") record(f.kind.value.baseTimeMs, f.kind.value.points);
        else if (f.kind.case === "columns") {
          const r = decodeColumns(f.kind.value, 1000);
          if (!r.ok) throw new Error(r.message);
          record(f.kind.value.baseTimeMs, r.points);
        } else if (f.kind.case === "stream") {
          const r = stream.decode(f.kind.value, 1000);
          if (!r.ok) {
            s.kinds.push(`unreadable: ${r.message}`);
            sock.close(1007, "stream state lost");
          } else record(r.baseTimeMs, r.points);
        } else if (f.kind.case === "ping") {
          // A gateway behind on its frames answers a ping before it has counted them all.
          const counted = Math.max(0, s.points.length - this.pongBacklog);
          this.pongBacklog = Math.floor(this.pongBacklog / 2);
          this.send(sock, {
            case: "pong",
            value: { nonce: f.kind.value.nonce, counters: { pointsReceived: BigInt(counted), pointsAccepted: BigInt(counted) } },
          });
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

/** The token an upgrade presents: its Authorization header, else its subprotocols. */
function tokenOf(req: IncomingMessage): string {
  return String(req.headers.authorization ?? req.headers["sec-websocket-protocol"] ?? "");
}

export async function startGateway(): Promise<FakeGateway> {
  const g = new FakeGateway();
  await g.listening;
  return g;
}
