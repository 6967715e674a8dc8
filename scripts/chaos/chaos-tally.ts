/**
 * The counts a chaos run is judged on, read from the edge once the clients have left: the gateways'
 * totals (GET /v1/chaos/totals) once every session has ended, i.e. had all its batches acknowledged
 * or given up, and the regions' persisted per-second metrics, summed, once a tick has written what
 * the last batches brought. Both waits are on the counters themselves, bounded.
 */
import type { ChaosTally } from "../../src/sim/chaos-verdict.js";

interface Totals {
  pointsAccepted: number;
  pointsLost: number;
  liveSessions: number;
  linksCut: number;
}

type MetricsRow = { metrics: { applied: number; ignoredStale: number; accepted: number; resent: number; droppedOverflow: number } };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function tallyChaos(url: string, opsToken: string, homeRegions: Iterable<string>): Promise<ChaosTally> {
  const get = async <T>(path: string): Promise<T> => {
    const r = await fetch(`${url}${path}`, { headers: { Authorization: `Bearer ${opsToken}`, Connection: "close" }, signal: AbortSignal.timeout(10_000) });
    if (!r.ok) throw new Error(`GET ${path} answered ${r.status}: ${await r.text()}`);
    return (await r.json()) as T;
  };
  // Sessions end when the regions acknowledged everything (or the resend window gave it up).
  let t = await get<Totals>("/v1/chaos/totals");
  for (const by = Date.now() + 20_000; t.liveSessions > 0 && Date.now() < by; t = await get<Totals>("/v1/chaos/totals")) await sleep(250);
  const gateway = { accepted: t.pointsAccepted, lost: t.pointsLost, liveSessions: t.liveSessions, linksCut: t.linksCut };
  const regions = [...homeRegions];
  const sumRegions = async (): Promise<ChaosTally["regions"]> => {
    const sum = { applied: 0, ignoredStale: 0, acceptedCounted: 0, resent: 0, droppedOverflow: 0 };
    for (const key of regions) {
      const { metrics } = await get<{ metrics: MetricsRow[] }>(`/v1/regions/${key}/metrics?since=0&limit=86400`);
      for (const { metrics: m } of metrics) {
        sum.applied += m.applied;
        sum.ignoredStale += m.ignoredStale;
        sum.acceptedCounted += m.accepted;
        sum.resent += m.resent;
        sum.droppedOverflow += m.droppedOverflow;
      }
    }
    return sum;
  };
  // The last batches are in the metrics after the next tick (one second): wait for the sums to meet
  // the gateways' count, or to stop moving for a few ticks (then the difference is the finding).
  let r = await sumRegions();
  let still = 0;
  for (const by = Date.now() + 15_000; Date.now() < by && still < 4; ) {
    if (r.applied + r.ignoredStale === gateway.accepted && r.acceptedCounted === gateway.accepted) break;
    await sleep(750);
    const next = await sumRegions();
    still = JSON.stringify(next) === JSON.stringify(r) ? still + 1 : 0;
    r = next;
  }
  return { gateway, regions: r };
}

/** How many times the regions have started, summed (their stats' `starts`: every restart, asked for or not, counts). */
export async function regionStarts(url: string, opsToken: string, regions: Iterable<string>): Promise<number> {
  let n = 0;
  for (const key of regions) {
    const r = await fetch(`${url}/v1/regions/${key}/stats`, {
      headers: { Authorization: `Bearer ${opsToken}`, Connection: "close" },
      signal: AbortSignal.timeout(10_000),
    });
    if (!r.ok) throw new Error(`GET /v1/regions/${key}/stats answered ${r.status}`);
    n += ((await r.json()) as { starts: number }).starts;
  }
  return n;
}
