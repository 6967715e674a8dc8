/**
 * A hibernatable socket's attachment, read once per socket object: deserializing it is a structured
 * clone, and the message path asks for it on every message (is this a link, a hub, a watcher?). The
 * attachment is written once, at accept, so the cached value cannot go stale; a socket object after
 * hibernation is a new object and is read afresh.
 */
const cache = new WeakMap<WebSocket, Record<string, unknown> | null>();

export function attachmentOf(ws: WebSocket): Record<string, unknown> | null {
  let a = cache.get(ws);
  if (a === undefined) {
    a = (ws.deserializeAttachment() as Record<string, unknown> | null) ?? null;
    cache.set(ws, a);
  }
  return a;
}
