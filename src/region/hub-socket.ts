/**
 * The region side of an ingest hub's WebSocket: accepted as a hibernatable socket tagged `hub:<shard>`
 * (so frames for the gateway links behind it find it again after hibernation), and recognised by its
 * attachment.
 */
import { attachmentOf } from "./attachments.js";

const SHARD = /^\d{1,4}$/;

interface HubAttachment {
  hub: string;
}

export type AcceptedHub = { ok: true; tag: string; response: Response } | { ok: false; response: Response };

export function acceptHub(ctx: DurableObjectState, request: Request): AcceptedHub {
  const shard = new URL(request.url).searchParams.get("hub") ?? "";
  if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket" || !SHARD.test(shard))
    return { ok: false, response: new Response("expected a WebSocket upgrade with a hub shard", { status: 400 }) };
  const pair = new WebSocketPair();
  const tag = `hub:${shard}`;
  ctx.acceptWebSocket(pair[1], [tag]);
  pair[1].serializeAttachment({ hub: shard } satisfies HubAttachment);
  return { ok: true, tag, response: new Response(null, { status: 101, webSocket: pair[0] }) };
}

/** The tag of a hub's socket, or null for any other socket. */
export function hubOf(ws: WebSocket): string | null {
  const a = attachmentOf(ws) as Partial<HubAttachment> | null;
  return a?.hub ? `hub:${a.hub}` : null;
}
