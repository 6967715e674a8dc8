/**
 * The region's side of fault injection for `npm run chaos` (scripts/chaos.ts), live only with CHAOS=1
 * (src/config.ts refuses that outside AIRSPACE_ENV local): `/chaos/restart` resets the object the way
 * a deploy or a crash does, `/chaos/fail-checkpoints?ms=` makes its checkpoints throw for a while.
 * The window is kept in the object's storage: it must outlive the restarts it causes (a region
 * restarts after a failed checkpoint; the `starts` of its stats count them all).
 */

/** A checkpoint refused on purpose, as a storage fault would refuse it. */
export class CheckpointFault extends Error {
  override name = "CheckpointFault";
}

const FAIL_UNTIL = "chaos.failCheckpointsUntil";
/** Longest failure window one request may ask for, ms (past RESEND_MAX_MS gateways give batches up, counted). */
const MAX_FAIL_MS = 60_000;

export class FaultInjection {
  constructor(
    private readonly ctx: DurableObjectState,
    private readonly enabled: boolean,
  ) {}

  /** The answer to a `/chaos/…` request (404 unless enabled), or null for any other path. */
  fetch(url: URL, nowMs: number): Response | null {
    if (!url.pathname.startsWith("/chaos/")) return null;
    if (!this.enabled) return new Response("not found", { status: 404 });
    switch (url.pathname) {
      case "/chaos/restart":
        // Resets the object at once, mid-whatever: sockets drop, memory is gone (it does not return).
        this.ctx.abort("chaos: restart");
        return new Response("not restarted", { status: 500 });
      case "/chaos/fail-checkpoints": {
        const ms = Number(url.searchParams.get("ms") || Number.NaN);
        if (!(ms >= 0 && ms <= MAX_FAIL_MS)) return Response.json({ error: "bad_ms", detail: `ms must be in [0, ${MAX_FAIL_MS}]` }, { status: 400 });
        this.ctx.storage.kv.put(FAIL_UNTIL, nowMs + ms);
        return Response.json({ failCheckpointsUntil: nowMs + ms });
      }
      default:
        return new Response("not found", { status: 404 });
    }
  }

  /** Called by the tick before its checkpoint: throws CheckpointFault inside a failure window. */
  checkpointing(nowMs: number): void {
    if (!this.enabled) return;
    const until = this.ctx.storage.kv.get<number>(FAIL_UNTIL) ?? 0;
    if (nowMs < until) throw new CheckpointFault(`checkpoint refused (chaos) for ${until - nowMs} ms more`);
  }
}
