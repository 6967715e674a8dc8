/**
 * Carries out a chaos run's fault plan (src/sim/fault-plan.ts) against a local edge started with
 * CHAOS=1: region restarts and checkpoint failure windows through the edge's chaos routes, link cuts
 * through the gateway's, socket drops from the client side. Records when each restart was asked for
 * and answered, for the alert gaps.
 */
import type { FaultEvent } from "../../src/sim/fault-plan.js";

export interface FaultDriverOptions {
  /** The edge, http://127.0.0.1:<port>. */
  url: string;
  opsToken: string;
  /** Ends the named clients' sockets; how many sockets it ended. */
  dropSockets: (clients: readonly string[], abrupt: boolean) => number;
}

export class FaultDriver {
  readonly restarts: { region: string; requestedMs: number; answeredMs: number }[] = [];
  readonly counts = { failWindows: 0, linkCuts: 0, socketDrops: 0, socketsDropped: 0 };

  constructor(private readonly o: FaultDriverOptions) {}

  /** Runs `events` (sorted) at `startMs` + their times; stops early when `signal` aborts. */
  async run(events: readonly FaultEvent[], startMs: number, signal?: AbortSignal): Promise<void> {
    for (const e of events) {
      const wait = startMs + e.atMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (signal?.aborted) return;
      await this.apply(e);
    }
  }

  private async apply(e: FaultEvent): Promise<void> {
    switch (e.kind) {
      case "restart": {
        const requestedMs = Date.now();
        await this.post(`/v1/chaos/regions/${e.region}/restart`);
        this.restarts.push({ region: e.region, requestedMs, answeredMs: Date.now() });
        break;
      }
      case "fail-checkpoints":
        await this.post(`/v1/chaos/regions/${e.region}/fail-checkpoints?ms=${e.ms}`);
        this.counts.failWindows++;
        break;
      case "cut-links":
        await this.post("/v1/chaos/links/cut");
        this.counts.linkCuts++;
        break;
      case "drop-sockets":
        this.counts.socketsDropped += this.o.dropSockets(e.clients, e.abrupt);
        this.counts.socketDrops++;
        break;
    }
  }

  private async post(path: string): Promise<unknown> {
    const r = await fetch(`${this.o.url}${path}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${this.o.opsToken}`, Connection: "close" },
      signal: AbortSignal.timeout(10_000),
    });
    if (!r.ok) throw new Error(`POST ${path} answered ${r.status}: ${await r.text()}`);
    return r.json();
  }
}
