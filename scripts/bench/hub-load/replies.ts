/**
 * What the region under test sends back to the gateway links it thinks it serves: hellos, acks (and
 * their lag behind the batch they acknowledge), proximity sets (which make a link's next batches
 * urgent, as a gateway would), route changes, alerts (who was alerted about whom, and each encounter's
 * first alert's edge-side latency: the feeder is the gateway, so its receipt of the alert less the
 * alert's edge_received_ms, the feeder's own take-in time of the report that started it), the shed
 * levels as they come, and error frames;
 * and a stall detector: the longest silence between two acks while batches were in flight.
 */
import { decodeServerFrame } from "../../../src/client/wire.js";
import { parseControl } from "../../../src/wire/link-protocol.js";

/** Shed-level frames this close together are one tick's fan-out (see noteLevel), ms. */
const LEVEL_BURST_MS = 200;

/** An encounter's first alert to one of its drones. */
export interface FirstAlert {
  drone: string;
  other: string;
  /** The feeder's take-in of the report that started the encounter (the alert's edge_received_ms), Unix ms. */
  startedMs: number;
  /** Alert received by the feeder − startedMs. */
  latencyMs: number;
}

export class Replies {
  readonly greeted = new Set<string>();
  /** Links whose latest proximity set is not empty: their batches go out urgent. */
  readonly urgent = new Set<string>();
  /** Per link, the highest sequence acked. */
  readonly acked = new Map<string, number>();
  /** Ack lag samples, ms: ack received − the acked batch's send. */
  readonly ackLagMs: number[] = [];
  /** Local drone id → the other drones it was alerted about. */
  readonly alertedAbout = new Map<string, Set<string>>();
  alertFrames = 0;
  advisories = 0;
  routes = 0;
  lastRoute = -1;
  readonly errors: Record<string, number> = {};
  unreadable = 0;
  /** The region's shed levels as they come (the feeder's sessions act on them). */
  onShed: ((level: number) => void) | null = null;
  maxShedLevel = 0;
  /** Every shed level heard (the same for every link), with when, for the level's course over the run. */
  readonly shedLevels: { atMs: number; level: number }[] = [];
  /** Edge-side latency samples: the first alert of each encounter to each drone (edge_received_ms set). */
  readonly firstAlerts: FirstAlert[] = [];
  /** Stall detector: gaps of more than `stallMs` between two acks while acks were owed. */
  stalls = 0;
  maxAckGapMs = 0;
  private lastAckMs = 0;

  constructor(
    /** When batch `seq` of `linkId` was sent (NaN when unknown). */
    private readonly sentAt: (linkId: string, seq: number) => number,
    private readonly stallMs: number,
  ) {}

  /** Watches for stalls from now (call when sending starts). */
  arm(nowMs: number): void {
    this.lastAckMs = nowMs;
  }

  /** Checks the stall detector while nothing arrives; `owed`: some link has batches sent and not acked. */
  poll(nowMs: number, owed: boolean): void {
    if (this.lastAckMs > 0 && owed) this.maxAckGapMs = Math.max(this.maxAckGapMs, nowMs - this.lastAckMs);
  }

  on(linkId: string, data: string | Uint8Array, nowMs: number): void {
    if (typeof data === "string") this.control(linkId, data, nowMs);
    else this.frame(data, nowMs);
  }

  private control(linkId: string, text: string, nowMs: number): void {
    const m = parseControl(text);
    switch (m?.t) {
      case "hello":
        this.greeted.add(linkId);
        break;
      case "ack": {
        if (m.seq > (this.acked.get(linkId) ?? 0)) this.acked.set(linkId, m.seq);
        const sent = this.sentAt(linkId, m.seq);
        if (Number.isFinite(sent)) this.ackLagMs.push(nowMs - sent);
        if (this.lastAckMs > 0) {
          const gap = nowMs - this.lastAckMs;
          if (gap > this.stallMs) this.stalls++;
          this.maxAckGapMs = Math.max(this.maxAckGapMs, gap);
          this.lastAckMs = nowMs;
        }
        break;
      }
      case "proximity":
        if (m.ids.length > 0) this.urgent.add(linkId);
        else this.urgent.delete(linkId);
        break;
      case "shed":
        this.maxShedLevel = Math.max(this.maxShedLevel, m.level);
        this.noteLevel(m.level, nowMs);
        this.onShed?.(m.level);
        break;
      case "route":
        this.routes++;
        this.lastRoute = m.hubs;
        break;
      default:
        break;
    }
  }

  /**
   * The region tells each link in turn, and the links' frames come through 60 hub sockets read one
   * after another: two ticks' fan-outs can interleave for a few ms. A change within LEVEL_BURST_MS of
   * the last one replaces it, so the course shows each tick's level once.
   */
  private noteLevel(level: number, nowMs: number): void {
    const last = this.shedLevels.at(-1);
    if (last !== undefined && nowMs - last.atMs < LEVEL_BURST_MS) {
      last.level = level;
      if (this.shedLevels.at(-2)?.level === level) this.shedLevels.pop();
    } else if (last?.level !== level) this.shedLevels.push({ atMs: nowMs, level });
  }

  private frame(bytes: Uint8Array, nowMs: number): void {
    let m: ReturnType<typeof decodeServerFrame>;
    try {
      m = decodeServerFrame(bytes);
    } catch {
      this.unreadable++;
      return;
    }
    if (m.type === "alert") {
      this.alertFrames++;
      const s = this.alertedAbout.get(m.droneId) ?? new Set<string>();
      this.alertedAbout.set(m.droneId, s);
      s.add(m.otherId);
      if (m.edgeReceivedMs > 0) this.firstAlerts.push({ drone: m.droneId, other: m.otherId, startedMs: m.edgeReceivedMs, latencyMs: nowMs - m.edgeReceivedMs });
    } else if (m.type === "advisory") this.advisories++;
    else if (m.type === "error") this.errors[m.code] = (this.errors[m.code] ?? 0) + (m.count || 1);
  }
}
