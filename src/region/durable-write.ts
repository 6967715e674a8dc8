/**
 * The writes the region's link ledger counts on as soon as they are made: the journal rows before an
 * early ack, and the tick's checkpoint, which `hello` and the next acks vouch for. Each is one
 * transaction. If one fails, nothing of it is stored while the ledger already believes it: the object
 * then restarts from what is durable instead of acking on that belief (the journal and the gateways'
 * resend buffers hold the rest, and a tick's counts go with its points, which are applied again).
 * `npm run chaos` found the alternative losing points (issue 12).
 */
import { log } from "../log.js";

/** Runs `write` in one transaction, or resets the object (abort() does not return). */
export function writeOrRestart(ctx: DurableObjectState, what: string, region: string | undefined, write: () => void): void {
  try {
    ctx.storage.transactionSync(write);
  } catch (e) {
    log(`${what} failed: restarting from the last checkpoint`, { region, error: String(e) }, "error");
    ctx.abort(`${what} failed`);
  }
}
