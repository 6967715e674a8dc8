/**
 * What the queue consumer does with a batch once the webhook answered (or did not): ack it, retry it
 * later, or give it up to the dead-letter queue. The receiver's 2xx is the only ack. A network error,
 * a timeout, 408, 429 and any 5xx are its trouble and may pass: retried with exponential backoff (a
 * `Retry-After` in seconds is honoured, capped), until the queue's `max_retries` sends the messages to
 * the dead-letter queue. Any other answer (a 3xx: redirects are not followed; 4xx: the receiver
 * refuses the request, e.g. a wrong secret) would fail the same way every time: straight to the
 * dead-letter queue, where nothing is lost and an operator can re-drive them once fixed.
 */
import { RETRY_MAX_DELAY_S } from "../tunables.js";

export type DeliveryOutcome = { kind: "ack" } | { kind: "retry"; delaySeconds: number } | { kind: "dead"; reason: string };

/** The wait before attempt `attempts + 1` after `attempts` failed: base × 2^(attempts − 1), capped. */
export function backoffSeconds(attempts: number, baseS: number): number {
  const n = Math.max(1, Math.floor(attempts));
  return Math.min(RETRY_MAX_DELAY_S, Math.round(baseS * 2 ** Math.min(n - 1, 20)));
}

/** A `Retry-After` header's delay in whole seconds (only the delta-seconds form), or null. */
export function retryAfterSeconds(header: string | null | undefined): number | null {
  if (!header || !/^\s*\d+\s*$/.test(header)) return null;
  return Math.min(RETRY_MAX_DELAY_S, Number(header));
}

/**
 * The outcome for an HTTP status (`"network"`: no answer at all) on the batch's `attempts`-th try
 * (the queue counts from 1).
 */
export function deliveryOutcome(status: number | "network", attempts: number, baseS: number, retryAfter: string | null = null): DeliveryOutcome {
  if (status !== "network" && status >= 200 && status < 300) return { kind: "ack" };
  const transient = status === "network" || status === 408 || status === 429 || status >= 500;
  if (!transient) return { kind: "dead", reason: `webhook answered ${status}` };
  const hinted = retryAfterSeconds(retryAfter);
  return { kind: "retry", delaySeconds: Math.max(hinted ?? 0, backoffSeconds(attempts, baseS)) };
}
