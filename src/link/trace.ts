/**
 * W3C trace context for batches. Workers' built-in tracing does not carry trace context from a Worker
 * into a Durable Object (docs/platform.md), so each gateway session starts a trace and every batch it
 * flushes carries a `traceparent` of its own span in the batch envelope. With tracing on
 * (src/tracing/), the batch's exported span gives the traceparent instead (src/gateway/upstream.ts).
 */
import { isSpanContextValid, TraceFlags } from "@opentelemetry/api";
import type { TraceparentWriter } from "../wire/batch-codec.js";
import { writeAscii } from "../wire/short-strings.js";

const HEX = "0123456789abcdef";
/** A span's tail after the head: 8 hex digits of the counter and "-01". */
const TAIL = 11;

function randomHex(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  let s = "";
  for (let i = 0; i < b.length; i++) s += b[i]!.toString(16).padStart(2, "0");
  return s;
}

export function newTraceId(): string {
  let id = randomHex(16);
  while (/^0+$/.test(id)) id = randomHex(16); // all-zero ids are invalid (W3C trace-context §3.2.2.3)
  return id;
}

/**
 * The `traceparent`s of one link's batches, child spans of the session's trace. A span id is a random
 * 4-byte prefix per link and a counter: unique within the trace (never all zero, the counter starts at
 * 1) without a random draw, eight hex strings and a validity check per batch, which were 4 % of the
 * gateway's allocations per report (scripts/profile/heap-profile.ts). Empty for an invalid trace id.
 */
export class BatchSpans implements TraceparentWriter {
  private readonly head: string;
  private n = 0;
  readonly byteLength: number;

  constructor(traceId: string) {
    const ok = isSpanContextValid({ traceId, spanId: "0000000000000001", traceFlags: TraceFlags.SAMPLED });
    this.head = ok ? `00-${traceId}-${randomHex(4)}` : "";
    this.byteLength = this.head === "" ? 0 : this.head.length + TAIL;
  }

  next(): string {
    if (this.head === "") return "";
    this.n = (this.n + 1) >>> 0 || 1;
    return `${this.head}${this.n.toString(16).padStart(8, "0")}-01`;
  }

  /**
   * The next span as the batch encoder's writer of its bytes (the same as next() would give), or "" for
   * an invalid trace id: no strings per batch. Its bytes are those of this span until the next call.
   */
  nextWriter(): TraceparentWriter | "" {
    if (this.head === "") return "";
    this.n = (this.n + 1) >>> 0 || 1;
    return this;
  }

  /** The current span's traceparent (TraceparentWriter), written at `o`. */
  write(buf: Uint8Array, o: number): void {
    writeAscii(buf, o, this.head);
    let p = o + this.head.length;
    for (let shift = 28; shift >= 0; shift -= 4) buf[p++] = HEX.charCodeAt((this.n >>> shift) & 15);
    buf[p] = 45; // "-01"
    buf[p + 1] = 48;
    buf[p + 2] = 49;
  }
}
