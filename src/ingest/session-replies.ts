/**
 * What one event makes a session do, gathered while the event is handled and taken at its end
 * (frames for the client, batches, a renewal to verify, a close). SessionCore builds on it; a close
 * ends the session: nothing is taken from the client after it.
 */
import { emptyOutput, type SessionOutput } from "./session-output.js";

export class SessionReplies {
  protected closed = false;
  protected out: SessionOutput = emptyOutput();

  protected closeWith(code: number, reason: string): void {
    if (this.out.close) return;
    this.out.close = { code, reason };
    this.closed = true;
  }

  protected toClient(frame: Uint8Array): void {
    this.out.toClient.push(frame);
  }

  protected take(): SessionOutput {
    const o = this.out;
    this.out = emptyOutput();
    return o;
  }
}
