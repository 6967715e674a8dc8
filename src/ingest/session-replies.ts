/**
 * What one event makes a session do, gathered while the event is handled and taken at its end
 * (frames for the client, batches, a renewal to verify, a close). SessionCore builds on it; a close
 * ends the session: nothing is taken from the client after it.
 */
import { ErrorCode } from "../gen/airspace/v1/airspace_pb.js";
import { CloseCode } from "../wire/close-codes.js";
import { errorFrame } from "../wire/server-frames.js";
import { emptyOutput, NO_BATCHES, NO_FRAMES, type SessionBatch, type SessionOutput } from "./session-output.js";

export class SessionReplies {
  protected closed = false;
  protected out: SessionOutput = emptyOutput();

  protected closeWith(code: number, reason: string): void {
    if (this.out.close) return;
    this.out.close = { code, reason };
    this.closed = true;
  }

  /** Lists start as one slot (an empty one's first push reserves 17). */
  protected toClient(frame: Uint8Array): void {
    if (this.out.toClient === NO_FRAMES) this.out.toClient = [frame];
    else this.out.toClient.push(frame);
  }

  protected batch(b: SessionBatch): void {
    if (this.out.batches === NO_BATCHES) this.out.batches = [b];
    else this.out.batches.push(b);
  }

  /** The client is abusive: what its frame earned so far (`earned`), then the policy error and the close. */
  protected abusive(reason: string, earned: Iterable<Uint8Array>): void {
    for (const frame of earned) this.toClient(frame);
    this.toClient(errorFrame(ErrorCode.POLICY, reason));
    this.closeWith(CloseCode.POLICY, "rate limit abuse");
  }

  protected take(): SessionOutput {
    const o = this.out;
    this.out = emptyOutput();
    return o;
  }
}
