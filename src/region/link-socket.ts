/**
 * The region side of a gateway link's WebSocket: accepting it as a hibernatable socket tagged with its
 * link id (so it is found again after hibernation), greeting it with `hello` and the durable floor of
 * its batch sequence, and reading the link id back from a socket. Shared by the region object and the
 * benchmark's bare-transport region, so the baseline pays exactly the same link protocol.
 */
import { encodeControl } from "../wire/link-protocol.js";
import { attachmentOf } from "./attachments.js";

interface LinkAttachment {
  linkId: string;
}

export type AcceptedLink = { ok: true; linkId: string; server: WebSocket; response: Response } | { ok: false; response: Response };

export function acceptLink(ctx: DurableObjectState, request: Request, floorOf: (linkId: string) => number): AcceptedLink {
  const linkId = new URL(request.url).searchParams.get("link") ?? "";
  if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket" || !/^[\w.:-]{1,128}$/.test(linkId))
    return { ok: false, response: new Response("expected a WebSocket upgrade with a link id", { status: 400 }) };
  const pair = new WebSocketPair();
  const server = pair[1];
  ctx.acceptWebSocket(server, [linkId]);
  server.serializeAttachment({ linkId } satisfies LinkAttachment);
  server.send(encodeControl({ t: "hello", applied: floorOf(linkId) }));
  return { ok: true, linkId, server, response: new Response(null, { status: 101, webSocket: pair[0] }) };
}

/** The link id a socket was accepted with, or undefined for a socket that is not a link. */
export function linkIdOf(ws: WebSocket): string | undefined {
  return (attachmentOf(ws) as Partial<LinkAttachment> | null)?.linkId;
}
