/**
 * The Worker's queue consumer: each batch of exported events (src/region/event-export.ts) is POSTed
 * as one signed JSON body to EVENTS_WEBHOOK_URL. 2xx acks every message; a network error, timeout,
 * 408, 429 or 5xx retries each message with its own backoff (src/export/delivery-policy.ts) until the
 * queue's max_retries moves it to the dead-letter queue; any other answer sends the batch to the
 * dead-letter queue at once (EVENTS_DLQ). A configuration that cannot deliver (no URL, no secret, http
 * in a deployed environment) retries too, so fixing it in time loses nothing. Only 2xx or the DLQ
 * taking them acks messages: an event leaves the queue delivered or parked, never silently.
 */
import { DEFAULTS, loadOptions } from "../config.js";
import type { Env } from "../env.js";
import { EXPORT_SCHEMA_VERSION, type ExportDelivery, type ExportEvent } from "../export/export-event.js";
import { type DeliveryOutcome, backoffSeconds, deliveryOutcome } from "../export/delivery-policy.js";
import { loadExportSettings, webhookProblem } from "../export/export-settings.js";
import { SIGNATURE_HEADER, signatureHeader } from "../export/signature.js";
import { log } from "../log.js";
import { WEBHOOK_TIMEOUT_MS } from "../tunables.js";

export async function deliverEvents(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const baseS = retryBaseS(env);
  const settings = loadExportSettings(env);
  const problem = webhookProblem(settings);
  if (problem) {
    log("event export cannot deliver", { queue: batch.queue, messages: batch.messages.length, problem }, "error");
    for (const m of batch.messages) m.retry({ delaySeconds: backoffSeconds(m.attempts, baseS) });
    return;
  }
  const delivery: ExportDelivery = { v: EXPORT_SCHEMA_VERSION, events: batch.messages.map((m) => m.body as ExportEvent) }; // the regions' own messages
  const body = JSON.stringify(delivery);
  const answer = await post(settings.url, body, await signatureHeader(settings.secret, body, Date.now() / 1000));
  const dead: Message<unknown>[] = [];
  let reason = "";
  for (const m of batch.messages) {
    const outcome: DeliveryOutcome = deliveryOutcome(answer.status, m.attempts, baseS, answer.retryAfter);
    if (outcome.kind === "ack") m.ack();
    else if (outcome.kind === "retry") m.retry({ delaySeconds: outcome.delaySeconds });
    else {
      dead.push(m);
      reason = outcome.reason;
    }
  }
  if (answer.status !== "network" && answer.status < 300) return;
  log("event delivery failed", { queue: batch.queue, messages: batch.messages.length, status: answer.status, dead: dead.length }, "error");
  if (dead.length > 0) await park(env, dead, reason);
}

/** The webhook's status, or "network" when it gave none in time; its Retry-After. */
async function post(url: string, body: string, signature: string): Promise<{ status: number | "network"; retryAfter: string | null }> {
  try {
    const res = await fetch(url, {
      method: "POST",
      body,
      headers: { "Content-Type": "application/json", "User-Agent": "airspace-events/1", [SIGNATURE_HEADER]: signature },
      // A redirect is answered as refused (dead-letter): the signed body must reach the configured URL only.
      redirect: "manual",
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
    await res.body?.cancel();
    return { status: res.status, retryAfter: res.headers.get("Retry-After") };
  } catch {
    return { status: "network", retryAfter: null };
  }
}

/** Refused messages to the dead-letter queue, acked once it holds them; retried if it cannot take them. */
async function park(env: Env, dead: Message<unknown>[], reason: string): Promise<void> {
  const dlq = env.EVENTS_DLQ as Queue | undefined;
  if (!dlq) {
    // No dead-letter binding: the refusal is final; counted in the log, not kept.
    log("event export refused, no dead-letter queue bound: events dropped", { events: dead.length, reason }, "error");
    for (const m of dead) m.ack();
    return;
  }
  try {
    await dlq.sendBatch(dead.map((m) => ({ body: m.body, contentType: "json" as const })));
    for (const m of dead) m.ack();
    log("event export refused: events moved to the dead-letter queue", { events: dead.length, reason }, "error");
  } catch (e) {
    for (const m of dead) m.retry({ delaySeconds: backoffSeconds(m.attempts, retryBaseS(env)) });
    log("dead-letter queue refused events: retrying", { events: dead.length, error: String(e) }, "error");
  }
}

/** EVENTS_RETRY_BASE_S; the default when the configuration is invalid (the gateway says why on /v1). */
function retryBaseS(env: Env): number {
  try {
    return loadOptions(env).eventsRetryBaseS;
  } catch {
    return DEFAULTS.eventsRetryBaseS;
  }
}
