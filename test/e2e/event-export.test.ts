// Event export end to end, on a cold local edge (Miniflare, one workerd, Queues simulated by it) and a
// webhook receiver on loopback: two drones of two fleets stage a conflict, and the receiver gets
// each drone's alert event signed (checked here with node:crypto, as a receiver would), after two
// refused attempts that the queue retried with backoff; a webhook that keeps failing gets each event
// max_retries + 1 times and then the dead-letter queue has it; one that answers 400 gets it once and
// the dead-letter queue has it at once. A second worker consumes the dead-letter queue and posts what
// it takes to the receiver. EXPORT_E2E_PORT (optional) fixes the receiver's port and the edge's (+1).
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSnapshot, type Snapshot } from "../../scripts/lib/snapshot.js";
import { DroneClient } from "../../src/client/drone.js";
import { mintToken } from "../../src/client/token.js";
import type { ExportDelivery, ExportEvent } from "../../src/export/export-event.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const WEBHOOK_SECRET = "e2e-webhook-secret-0123456789abcdef";
const JWT_SECRET = "e2e-jwt-secret-of-at-least-32-bytes-long";
const PORT = Number(process.env.EXPORT_E2E_PORT ?? 0);
const MAX_RETRIES = 2;

interface Attempt {
  atMs: number;
  status: number;
  signed: boolean;
  events: ExportEvent[];
}

/** The webhook: answers by what a delivery holds, records every attempt and verifies its signature. */
class Receiver {
  readonly attempts: Attempt[] = [];
  readonly parked: ExportEvent[] = [];
  private server: Server | null = null;
  port = 0;

  async start(port: number): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        if (req.url === "/dlq") {
          this.parked.push(...(JSON.parse(body) as ExportEvent[]));
          res.end("ok");
          return;
        }
        const events = (JSON.parse(body) as ExportDelivery).events;
        const status = this.answer(events);
        this.attempts.push({ atMs: Date.now(), status, signed: verify(String(req.headers["x-airspace-signature"] ?? ""), body), events });
        res.statusCode = status;
        res.end(status === 200 ? "ok" : "no");
      });
    });
    await new Promise<void>((r) => this.server!.listen(port, "127.0.0.1", r));
    const a = this.server.address();
    this.port = typeof a === "object" && a ? a.port : 0;
  }

  stop(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** The first two deliveries fail (the queue must retry them); fleet "doomed" always fails; "refused" is refused. */
  private answer(events: ExportEvent[]): number {
    if (this.attempts.length < 2) return 503;
    if (events.some((e) => e.fleet === "doomed")) return 500;
    if (events.some((e) => e.fleet === "refused")) return 400;
    return 200;
  }

  /** Attempts (of any status) that carried event `id`. */
  attemptsOf(id: string): Attempt[] {
    return this.attempts.filter((a) => a.events.some((e) => e.id === id));
  }
}

/** What a receiver does with the header: HMAC-SHA256(secret, `${t}.${raw body}`), compared in constant time, t recent. */
function verify(header: string, body: string): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m || Math.abs(Date.now() / 1000 - Number(m[1])) > 300) return false;
  const expected = createHmac("sha256", WEBHOOK_SECRET).update(`${m[1]}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(m[2]!, "hex"));
}

const DLQ_SINK = `export default {
  async queue(batch, env) {
    await fetch(env.SINK_URL, { method: "POST", body: JSON.stringify(batch.messages.map((m) => m.body)) });
    batch.ackAll();
  },
};`;

async function until<T>(what: string, f: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("event export to a webhook", () => {
  const receiver = new Receiver();
  let snapshot: Snapshot | null = null;
  let mf: Miniflare | null = null;
  let url = "";
  const clients: DroneClient[] = [];

  beforeAll(async () => {
    await receiver.start(PORT);
    snapshot = buildSnapshot(ROOT, "export-e2e");
    const { workerOptions, main } = unstable_getMiniflareWorkerOptions(snapshot.config);
    const consumer = workerOptions.queueConsumers as Record<string, Record<string, unknown>>;
    mf = new Miniflare({
      host: "127.0.0.1",
      port: PORT === 0 ? 0 : PORT + 1,
      workers: [
        {
          ...workerOptions,
          modules: true,
          scriptPath: main!,
          modulesRoot: dirname(main!),
          bindings: {
            ...(workerOptions.bindings ?? {}),
            // A local run: the plain http loopback receiver is refused where AIRSPACE_ENV is unset (deployed).
            AIRSPACE_ENV: "local",
            AIRSPACE_JWT_SECRET: JWT_SECRET,
            EVENTS_WEBHOOK_URL: `http://127.0.0.1:${receiver.port}/hook`,
            EVENTS_WEBHOOK_SECRET: WEBHOOK_SECRET,
            EVENTS_RETRY_BASE_S: "1",
          },
          // wrangler.toml's consumer, with fewer retries and a shorter batch wait: the same path, sooner.
          queueConsumers: { "airspace-events": { ...consumer["airspace-events"], maxRetries: MAX_RETRIES, maxBatchTimeout: 0.3 } },
        },
        {
          name: "dlq-sink",
          modules: true,
          script: DLQ_SINK,
          bindings: { SINK_URL: `http://127.0.0.1:${receiver.port}/dlq` },
          queueConsumers: { "airspace-events-dlq": { maxBatchTimeout: 0.3 } },
        },
      ],
    } as ConstructorParameters<typeof Miniflare>[0]);
    url = (await mf.ready).href.replace(/^http/, "ws").replace(/\/$/, "");
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await mf?.dispose();
    snapshot?.remove();
    await receiver.stop();
  });

  async function drone(fleet: string, id: string): Promise<DroneClient> {
    const c = new DroneClient({ url, droneId: id, token: await mintToken(JWT_SECRET, { sub: id, fleet }, { ttlS: 600 }), nodeWs: true, pingIntervalMs: 0 });
    c.on("error", () => {});
    clients.push(c);
    await c.connect();
    return c;
  }

  it("delivers both drones' alerts signed after retries, and parks what the webhook fails or refuses", async () => {
    // Head on, 40 m apart at 10 m/s each: a conflict within the look-ahead.
    const a = await drone("alpha", "a1");
    const b = await drone("bravo", "b1");
    const alerted = new Set<string>();
    a.on("alert", () => alerted.add("a1"));
    b.on("alert", () => alerted.add("b1"));
    const lat = 51.5;
    const dLon = 40 / (111_320 * Math.cos((lat * Math.PI) / 180));
    for (let k = 0; k < 6; k++) {
      const t = Date.now();
      a.send({ timeMs: t, lat, lon: -0.1 + (k * dLon) / 40, altM: 100, vn: 0, ve: 10, vu: 0, battery: 90 });
      b.send({ timeMs: t, lat, lon: -0.1 + dLon - (k * dLon) / 40, altM: 100, vn: 0, ve: -10, vu: 0, battery: 90 });
      await new Promise((r) => setTimeout(r, 100));
    }
    await until("both drones alerted", () => alerted.size === 2);

    // Each drone's alert event reaches the webhook signed, on the third attempt at the earliest.
    const delivered = await until("both alert events delivered", () => {
      const ok = receiver.attempts.filter((x) => x.status === 200).flatMap((x) => x.events.filter((e) => e.type === "alert"));
      const a1 = ok.find((e) => e.drone === "a1");
      const b1 = ok.find((e) => e.drone === "b1");
      return a1 && b1 ? { a1, b1 } : undefined;
    });
    expect(receiver.attempts.length).toBeGreaterThanOrEqual(3);
    expect(receiver.attempts.every((x) => x.signed)).toBe(true);
    expect(delivered.a1).toMatchObject({ v: 1, type: "alert", fleet: "alpha", otherFleet: "bravo", otherDrone: "b1", alertId: delivered.b1.alertId });
    expect(delivered.b1).toMatchObject({ fleet: "bravo", otherFleet: "alpha", otherDrone: "a1", region: delivered.a1.region });
    expect(["caution", "warning"]).toContain(delivered.a1.level);
    expect(delivered.a1.position?.lat).toBeCloseTo(lat, 3);
    // The first delivery of a1's start was refused twice and retried after the backoff (1 s, then 2 s).
    const tries = receiver.attemptsOf(receiver.attempts[0]!.events[0]!.id);
    expect(tries.map((x) => x.status).slice(0, 3)).toEqual([503, 503, 200]);
    expect(tries[1]!.atMs - tries[0]!.atMs).toBeGreaterThanOrEqual(900);
    expect(tries[2]!.atMs - tries[1]!.atMs).toBeGreaterThanOrEqual(1900);

    // Refused (400): one attempt, then the dead-letter queue at once. Failing (500): max_retries + 1 attempts, then the DLQ.
    for (const [k, fleet] of ["refused", "doomed"].entries()) {
      const d = await drone(fleet, `${fleet[0]}1`);
      d.send({ timeMs: Date.now(), lat: 51.6 + k * 0.01, lon: -0.2, altM: 80, vn: 0, ve: 0, vu: 0, battery: 10 });
      const parked = await until(`${fleet} events in the dead-letter queue`, () => {
        const p = receiver.parked.filter((e) => e.fleet === fleet);
        return p.some((e) => e.type === "advisory") && p.some((e) => e.type === "low_battery") ? p : undefined;
      });
      for (const e of parked) expect(receiver.attemptsOf(e.id).length, `${fleet} ${e.type}`).toBe(fleet === "refused" ? 1 : MAX_RETRIES + 1);
      expect(parked.find((e) => e.type === "advisory")).toMatchObject({ advisory: "low_battery_rth", drone: `${fleet[0]}1` });
    }

    // The region counted every event as sent to the queue, none failed or dropped.
    const ops = await mintToken(JWT_SECRET, { sub: "e2e", fleet: "*", role: "ops" }, { ttlS: 600 });
    const res = await fetch(`${url.replace(/^ws/, "http")}/v1/regions/${delivered.a1.region}/stats`, { headers: { Authorization: `Bearer ${ops}` } });
    const stats = (await res.json()) as Record<string, number>;
    expect(stats.exportSent).toBeGreaterThanOrEqual(2);
    expect({ failed: stats.exportFailed, dropped: stats.exportDropped }).toEqual({ failed: 0, dropped: 0 });
  }, 60_000);
});
