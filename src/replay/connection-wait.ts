/**
 * The replay's connections, waited on: opening (with a deadline and the reason a connection failed)
 * and settling (the edge's counts caught up with what was sent).
 */
import type { RelayClient } from "../client/relay.js";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Pings until the edge has counted every point the connection sent. A pong answers at once, ahead
 * of frames the edge still holds (a region link's window, say), so one ping can undercount a fast
 * replay by a third. Gives up when the count stops moving for a few seconds (points lost with a
 * dropped socket never arrive) or after `maxMs`.
 */
export async function settled(c: RelayClient, maxMs: number): Promise<void> {
  const until = Date.now() + maxMs;
  let last = -1;
  let movedAt = Date.now();
  for (;;) {
    await c.ping(5000);
    const counted = c.counters.pointsReceived;
    const now = Date.now();
    if (counted >= c.stats.pointsSent || now >= until) return;
    if (counted !== last) {
      last = counted;
      movedAt = now;
    } else if (now - movedAt >= 3000) return;
    await sleep(100);
  }
}

/** An Error's message, or a socket's error event's (browser-style events carry it as `message`). */
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  const o = e as { message?: unknown; error?: unknown } | null;
  const m = o?.message !== undefined && o.message !== "" ? o.message : o?.error;
  return m instanceof Error ? m.message : m !== undefined && m !== null && m !== "" ? String(m) : String(e);
}

export function withTimeout<T>(p: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
