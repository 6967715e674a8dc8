/**
 * Open sockets per token, counted per gateway isolate (TOKEN_MAX_CONNECTIONS). Best effort by design:
 * a Worker's isolates share nothing, so a token spread over many edge locations gets the cap in each.
 * A Durable Object per token would count exactly, at the price of a round trip on every connect and one
 * object that every reconnect of that token must reach; the per-socket limits (frames, bytes, points,
 * regions) already bound what each socket costs, so the cap only has to stop the cheap case, many
 * sockets on one edge (docs/security.md). Plain data at module level, as docs/platform.md requires.
 */
import type { Principal } from "./auth.js";

const open = new Map<string, number>();

/** The key a token is counted under: its jti, else its fleet, role and subject. */
export function tokenKey(p: Principal): string {
  return p.jti !== null ? `jti:${p.jti}` : `sub:${p.fleet}/${p.role}/${p.sub}`;
}

/** Takes one connection slot for `p`; the returned release gives it back (once), or null when the token is at its cap. */
export function acquireConnection(p: Principal, max: number): (() => void) | null {
  const key = tokenKey(p);
  const n = open.get(key) ?? 0;
  if (n >= max) return null;
  open.set(key, n + 1);
  let released = false;
  return function releaseConnection() {
    if (released) return;
    released = true;
    const left = (open.get(key) ?? 1) - 1;
    if (left <= 0) open.delete(key);
    else open.set(key, left);
  };
}

/** Sockets open now under `p`'s key in this isolate (for tests and logs). */
export function openConnections(p: Principal): number {
  return open.get(tokenKey(p)) ?? 0;
}
