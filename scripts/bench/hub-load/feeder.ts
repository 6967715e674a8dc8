/**
 * Feeds one region object as gateways and ingest hubs would: each drone on a gateway link of its own,
 * batches of one report (a single-drone link at 10 Hz under a 50 ms window sends each report alone),
 * and K hub-like sockets, each gathering its links' batches in a HubWindow (the hubs' own window:
 * closed at 50 ms, at 512 batches, or at once by an urgent batch) and sending them as one bundle
 * (encodeBundle), the drone's hub being hubShard(drone, K) as a gateway picks it. A link whose region
 * reported it in proximity sends urgent batches, as a gateway does. The relay shape instead carries the
 * drones on a few direct links (the region's /link), a batch of at most 256 points per link per window.
 */
import { HubWindow } from "../../../src/link/hub-window.js";
import { hubShard } from "../../../src/link/hub-policy.js";
import { HUB_MAX_BATCHES } from "../../../src/tunables.js";
import { encodeBatch } from "../../../src/wire/batch-codec.js";
import { newCounters } from "../../../src/wire/counters.js";
import { encodeHubControl } from "../../../src/wire/hub-protocol.js";
import type { TelemetryPoint } from "../../../src/wire/point.js";
import { sleep } from "../processes.js";
import { RegionDoor } from "./door.js";
import type { LoadFleet } from "./fleet.js";
import { BundleWriter, OnePointLink, type PendingReport } from "./batch-template.js";
import { Replies } from "./replies.js";
import { LoadShed } from "../../../src/ingest/load-shed.js";

export type FeedShape = { kind: "hubs"; hubs: number } | { kind: "relay"; links: number };

const SLOT_MS = 10;
const WINDOW_MS = 50;
const RELAY_BATCH_POINTS = 256;
const NO_GHOSTS = new Uint8Array(RELAY_BATCH_POINTS);

export class Feeder {
  readonly replies: Replies;
  readonly linkIds: string[];
  private readonly linkOf: Int32Array;
  private readonly doorOfLink: Int32Array;
  private readonly doors: RegionDoor[] = [];
  private readonly windows: HubWindow<PendingReport>[] = [];
  private readonly writer = new BundleWriter();
  private readonly relayPending: TelemetryPoint[][] = [];
  /** When the feeder (as the gateway) took each pending relay point in. */
  private readonly relayReceived: number[][] = [];
  private relayDeadline = 0;
  private readonly seqs: Uint32Array;
  private readonly sentAt: Float64Array[];
  private readonly bySlot: number[][];
  private readonly tps: string[];
  private readonly onePoint: OnePointLink[];
  private readonly counters = newCounters();
  private slot = 0;
  private t0 = 0;
  private readonly region: string;
  readonly sent = { points: 0, batches: 0, messages: 0, urgentBatches: 0, maxBufferedBytes: 0, lateSlotsMs: 0, shed: 0 };
  /** Reports of staged drones held back, by where the drone was (fleet.pairPhase), and the most of any one staged drone. */
  readonly stagedShed = { closing: 0, parting: 0, conflict: 0, far: 0, maxPerDrone: 0 };
  private readonly stagedShedOf = new Map<number, number>();
  /** What the links' gateway sessions would hold back when the region sheds load: the product's own rule (src/ingest/load-shed.ts). */
  private readonly shedding = new LoadShed();

  constructor(
    private readonly fleet: LoadFleet,
    private readonly shape: FeedShape,
    runId: string,
    region: string,
    hz: number,
    stallMs: number,
  ) {
    const n = fleet.size;
    const links = shape.kind === "hubs" ? n : shape.links;
    this.linkIds = Array.from({ length: links }, (_, i) => `${runId}${i.toString(36)}.${region}.0`);
    this.linkOf = Int32Array.from({ length: n }, (_, i) => (shape.kind === "hubs" ? i : i % links));
    this.doorOfLink = Int32Array.from({ length: links }, (_, l) => (shape.kind === "hubs" ? hubShard(fleet.keys[l]!, shape.hubs) : l));
    this.seqs = new Uint32Array(links);
    this.sentAt = Array.from({ length: links }, () => new Float64Array(64));
    // A gateway's traceparent per link (src/link/trace.ts), so batches are the size they are in production.
    this.tps = this.linkIds.map((_, l) => `00-${l.toString(16).padStart(32, "a")}-${"b".repeat(8)}`);
    this.onePoint = shape.kind === "hubs" ? this.linkIds.map((id, l) => new OnePointLink(id, this.tps[l]!, this.counters)) : [];
    const period = Math.max(1, Math.round(1000 / hz / SLOT_MS));
    this.bySlot = Array.from({ length: period }, () => []);
    for (let i = 0; i < n; i++) this.bySlot[i % period]!.push(i);
    const index = new Map(this.linkIds.map((id, l) => [id, l]));
    this.replies = new Replies((id, seq) => {
      const l = index.get(id);
      return l === undefined ? Number.NaN : (this.sentAt[l]![seq] ?? Number.NaN);
    }, stallMs);
    // Every link hears the same level (the region tells them all): one rule for the whole fleet.
    this.replies.onShed = (level) => this.shedding.setLevel(region, level, Date.now());
    this.region = region;
    const doors = shape.kind === "hubs" ? shape.hubs : links;
    for (let d = 0; d < doors; d++) {
      this.doors.push(
        new RegionDoor(shape.kind === "hubs" ? "hub" : "link", shape.kind === "hubs" ? String(d) : this.linkIds[d]!, (l, data, now) =>
          this.replies.on(l, data, now),
        ),
      );
      if (shape.kind === "hubs") this.windows.push(new HubWindow<PendingReport>(WINDOW_MS, HUB_MAX_BATCHES));
      else {
        this.relayPending.push([]);
        this.relayReceived.push([]);
      }
    }
  }

  /** Opens every socket and, through the hubs, announces every link; resolves once each link has its hello. */
  async open(wsUrl: string, secret: string, region: string, timeoutMs = 60_000): Promise<void> {
    for (let i = 0; i < this.doors.length; i += 16) await Promise.all(this.doors.slice(i, i + 16).map((d) => d.connect(wsUrl, secret, region)));
    if (this.shape.kind === "hubs")
      for (let l = 0; l < this.linkIds.length; l++) this.doors[this.doorOfLink[l]!]!.send(encodeHubControl({ t: "open", link: this.linkIds[l]! }));
    const deadline = Date.now() + timeoutMs;
    while (this.replies.greeted.size < this.linkIds.length) {
      if (Date.now() > deadline) throw new Error(`only ${this.replies.greeted.size} of ${this.linkIds.length} links greeted within ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  /** Reports from now: slot 0 is at `nowMs`. */
  start(nowMs: number): void {
    this.t0 = nowMs;
    this.fleet.startMs = nowMs;
    this.relayDeadline = nowMs + WINDOW_MS;
    this.replies.arm(nowMs);
  }

  /** Sends every report due by `nowMs` (each measured at its slot's time), and every window due. */
  tick(nowMs: number, sending: boolean): void {
    while (sending && this.t0 + this.slot * SLOT_MS <= nowMs) {
      const at = this.t0 + this.slot * SLOT_MS;
      this.sent.lateSlotsMs = Math.max(this.sent.lateSlotsMs, nowMs - at);
      for (const i of this.bySlot[this.slot % this.bySlot.length]!) this.report(i, at, nowMs);
      this.slot++;
    }
    this.flushDue(sending ? nowMs : Infinity);
    for (const d of this.doors) this.sent.maxBufferedBytes = Math.max(this.sent.maxBufferedBytes, d.bufferedAmount);
  }

  /** Links that have not had their last batch acknowledged. */
  unacked(): number {
    let n = 0;
    for (let l = 0; l < this.linkIds.length; l++) if ((this.replies.acked.get(this.linkIds[l]!) ?? 0) < this.seqs[l]!) n++;
    return n;
  }

  /** Whether the bundles had to be encoded in full (a batch or bundle layout no longer matched the patch). */
  unpatched(): boolean {
    return !this.writer.patching;
  }

  /** Messages the region has sent on all this feeder's sockets. */
  messagesFromRegion(): number {
    let n = 0;
    for (const d of this.doors) n += d.received;
    return n;
  }

  closedDoors(): number {
    return this.doors.filter((d) => d.closed).length;
  }

  close(): void {
    for (const d of this.doors) d.close();
  }

  private report(i: number, at: number, nowMs: number): void {
    const p = this.fleet.pointAt(i, at);
    const l = this.linkOf[i]!;
    if (this.shedding.sheds(this.region, p, this.replies.urgent.has(this.linkIds[l]!), nowMs)) {
      this.sent.shed++;
      const phase = this.fleet.pairPhase(i, at);
      if (phase !== null) {
        this.stagedShed[phase]++;
        const n = (this.stagedShedOf.get(i) ?? 0) + 1;
        this.stagedShedOf.set(i, n);
        this.stagedShed.maxPerDrone = Math.max(this.stagedShed.maxPerDrone, n);
      }
      return;
    }
    this.shedding.accepted(p);
    if (this.shape.kind === "relay") {
      this.relayPending[l]!.push(p);
      this.relayReceived[l]!.push(nowMs);
      return;
    }
    const urgent = this.replies.urgent.has(this.linkIds[l]!);
    const seq = this.record(l, 1, nowMs, urgent);
    const door = this.doorOfLink[l]!;
    const full = this.windows[door]!.add({ link: this.onePoint[l]!, seq, sentAtMs: nowMs, point: p, urgent }, urgent, nowMs);
    if (full) this.sendBundle(door, full);
  }

  /** The next batch of link `l`, `points` long, sent now: its sequence (its send time kept for the ack lag). */
  private record(l: number, points: number, nowMs: number, urgent: boolean): number {
    const seq = ++this.seqs[l]!;
    let times = this.sentAt[l]!;
    if (seq >= times.length) {
      const grown = new Float64Array(times.length * 2);
      grown.set(times);
      this.sentAt[l] = times = grown;
    }
    times[seq] = nowMs;
    this.sent.points += points;
    this.sent.batches++;
    if (urgent) this.sent.urgentBatches++;
    return seq;
  }

  private relayBatch(l: number, points: TelemetryPoint[], receivedMs: number[], nowMs: number): Uint8Array {
    const seq = this.record(l, points.length, nowMs, false);
    const ghost = NO_GHOSTS.subarray(0, points.length);
    return encodeBatch({ seq, sentAtMs: nowMs, traceparent: this.tps[l]!, counters: this.counters, points, ghost, receivedMs });
  }

  private sendBundle(door: number, reports: PendingReport[]): void {
    this.sent.messages++;
    this.doors[door]!.send(this.writer.write(reports));
  }

  private flushDue(nowMs: number): void {
    if (this.shape.kind === "hubs") {
      for (let d = 0; d < this.windows.length; d++) {
        const due = this.windows[d]!.due(nowMs);
        if (due) this.sendBundle(d, due);
      }
      return;
    }
    if (nowMs < this.relayDeadline) return;
    this.relayDeadline = Math.max(this.relayDeadline + WINDOW_MS, Number.isFinite(nowMs) ? nowMs : 0);
    const now = Number.isFinite(nowMs) ? nowMs : Date.now();
    for (let l = 0; l < this.relayPending.length; l++) {
      const pts = this.relayPending[l]!;
      const received = this.relayReceived[l]!;
      this.relayPending[l] = [];
      this.relayReceived[l] = [];
      for (let k = 0; k < pts.length; k += RELAY_BATCH_POINTS) {
        this.sent.messages++;
        this.doors[l]!.send(this.relayBatch(l, pts.slice(k, k + RELAY_BATCH_POINTS), received.slice(k, k + RELAY_BATCH_POINTS), now));
      }
    }
  }
}
