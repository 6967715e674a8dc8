/**
 * The hub side of a gateway link's socket: the request that opens it (region, shard, link id, all
 * checked) and the attachment it keeps through hibernation.
 */
const REGION = /^[0-9b-hjkmnp-z]{1,12}$/;
const SHARD = /^\d{1,4}$/;
const LINK = /^[\w.:-]{1,128}$/;

export interface HubLink {
  linkId: string;
  region: string;
  shard: string;
}

export type HubLinkParams = ({ ok: true } & HubLink) | { ok: false; response: Response };

export function hubLinkParams(request: Request): HubLinkParams {
  const q = new URL(request.url).searchParams;
  const region = q.get("region") ?? "";
  const shard = q.get("shard") ?? "";
  const linkId = q.get("link") ?? "";
  if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket" || !REGION.test(region) || !SHARD.test(shard) || !LINK.test(linkId))
    return { ok: false, response: new Response("expected a WebSocket upgrade with region, shard and link", { status: 400 }) };
  return { ok: true, region, shard, linkId };
}

/**
 * Each socket's attachment, read once: deserializing it for every batch was a fresh object and strings
 * per message. Weak, so a closed socket takes its entry along; empty again after hibernation.
 */
const known = new WeakMap<WebSocket, HubLink>();

export function linkOfHubSocket(ws: WebSocket): HubLink | null {
  const cached = known.get(ws);
  if (cached) return cached;
  const a = ws.deserializeAttachment() as Partial<HubLink> | null;
  if (!(a?.linkId && a.region && a.shard)) return null;
  const link = { linkId: a.linkId, region: a.region, shard: a.shard };
  known.set(ws, link);
  return link;
}
