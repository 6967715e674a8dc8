// The benchmark's runs against edges (scripts/bench.ts): the message workloads with their loss checks,
// and edges that are always stopped, whatever the body does.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Profile } from "../bench.js";
import { Edge } from "./edge.js";
import { fmt } from "./figures.js";
import { farRadiusM, hoverMessages, relayMessages, stretchMessages, type StretchCount } from "./messages.js";
import type { Snapshot } from "../lib/snapshot.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const log = (line: string) => process.stderr.write(`${line}\n`);

export async function messagesRun(edge: Edge, secret: string, p: Profile, seed: number, prefix: string, losses: string[]) {
  const relay = await relayMessages(edge, secret, { drones: p.messages.drones, durationMs: p.messages.durationMs, seed, idPrefix: `${prefix}r` });
  const hover = await hoverMessages(edge, secret, { drones: p.messages.drones, durationMs: p.messages.durationMs, seed, idPrefix: `${prefix}h` });
  log(
    `  ${prefix}: relay ${fmt(relay.perThousandAccepted)} msgs/1k pts; sockets ${fmt(hover.all.perThousandAccepted)}; hovering half ${hover.hover.messages} msgs for ${hover.hover.sent} pts sent`,
  );
  if (relay.lost > 0 || relay.regionPoints !== relay.accepted)
    losses.push(`${prefix} relay: accepted ${relay.accepted}, applied ${relay.regionPoints}, lost ${relay.lost}`);
  if (hover.all.lost > 0 || hover.all.regionPoints !== hover.all.accepted)
    losses.push(`${prefix} sockets: accepted ${hover.all.accepted}, applied ${hover.all.regionPoints}, lost ${hover.all.lost}`);
  return { relay, hover };
}

export async function stretchRun(edge: Edge, secret: string, p: Profile, seed: number, prefix: string, losses: string[]): Promise<StretchCount> {
  const st = p.stretch;
  const s = await stretchMessages(edge, secret, {
    drones: st.drones,
    isolated: st.isolated,
    spacingM: st.spacingM,
    farRadiusM: farRadiusM({ conflictRadiusM: 15, maxSpeedMps: 100, lookaheadS: 5, staleAfterMs: 3000, stretchMaxMs: st.stretchMaxMs }),
    durationMs: st.durationMs,
    seed,
    idPrefix: prefix,
  });
  log(`  ${prefix}: ${fmt(s.all.perThousandAccepted)} msgs/1k pts; isolated ${fmt(s.isolated.perThousandAccepted)}, dense ${fmt(s.dense.perThousandAccepted)}`);
  if (s.all.lost > 0 || s.all.regionPoints !== s.all.accepted)
    losses.push(`${prefix} stretch workload: accepted ${s.all.accepted}, applied ${s.all.regionPoints}, lost ${s.all.lost}`);
  return s;
}

export async function withEdges(
  specs: { label: string; snap: Snapshot; vars: Record<string, string | number> }[],
  body: (edges: Edge[]) => Promise<void>,
  secret: string,
): Promise<void> {
  const edges: Edge[] = [];
  try {
    for (const s of specs) edges.push(await Edge.start({ root: ROOT, config: s.snap.config, vars: s.vars, secret, label: s.label }));
    await body(edges);
  } finally {
    for (const e of edges) await e.stop();
  }
}
