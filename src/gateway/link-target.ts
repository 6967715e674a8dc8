/** Where a gateway link connects: its region object, or the ingest hub of its drone's shard (docs/scaling.md). */
import type { Env } from "../env.js";
import { hubShard } from "../link/hub-policy.js";

/** `routeKey`: the drone of a single-drone session (null for a relay, always direct); `hubs`: as the region asked (0: direct). */
export function linkTarget(env: Env, regionKey: string, linkId: string, routeKey: string | null, hubs: number): { stub: DurableObjectStub; url: string } {
  const q = `region=${encodeURIComponent(regionKey)}&link=${encodeURIComponent(linkId)}`;
  if (hubs > 0 && routeKey !== null) {
    const shard = hubShard(routeKey, hubs);
    return { stub: env.HUB.get(env.HUB.idFromName(`${regionKey}/${shard}`)), url: `https://hub/hub-link?${q}&shard=${shard}` };
  }
  return { stub: env.REGION.get(env.REGION.idFromName(regionKey)), url: `https://region/link?${q}` };
}
