import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BatchFormatError, encodeBatch, isUrgentBatch } from "../../src/wire/batch-codec.js";
import { newCounters } from "../../src/wire/counters.js";
import {
  decodeBundle,
  encodeBundle,
  envelopeBinary,
  envelopeText,
  joinEnvelopes,
  openEnvelope,
  openEnvelopes,
  parseHubControl,
} from "../../src/wire/hub-protocol.js";

describe("hub protocol", () => {
  it("bundles gateway batches byte for byte with their link ids (property)", () => {
    const entry = fc.record({ linkId: fc.stringMatching(/^[\w.:-]{1,40}$/), bytes: fc.uint8Array({ maxLength: 300 }) });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 20 }), (batches) => {
        const back = decodeBundle(encodeBundle(batches));
        expect(back.map((b) => ({ linkId: b.linkId, bytes: Uint8Array.from(b.bytes) }))).toEqual(batches);
      }),
    );
  });

  it("refuses a bundle that does not add up: truncated, trailing bytes, not a bundle", () => {
    const ok = encodeBundle([{ linkId: "s.r", bytes: Uint8Array.of(1, 2, 3) }]);
    for (let n = 0; n < ok.length; n++) expect(() => decodeBundle(ok.subarray(0, n))).toThrow(BatchFormatError);
    expect(() => decodeBundle(Uint8Array.from([...ok, 0]))).toThrow(BatchFormatError);
    expect(() => decodeBundle(Uint8Array.of(0xa5, 1, 0, 0))).toThrow(BatchFormatError);
  });

  it("addresses frames to a gateway link behind the hub, binary and text", () => {
    const frame = Uint8Array.of(9, 8, 7);
    const bin = openEnvelope(envelopeBinary("sess-1.u33d", frame));
    expect(bin?.linkId).toBe("sess-1.u33d");
    expect(Uint8Array.from(bin!.frame as Uint8Array)).toEqual(frame);
    expect(openEnvelope(envelopeText("sess-1.u33d", '{"t":"ack","seq":4}'))).toEqual({ linkId: "sess-1.u33d", frame: '{"t":"ack","seq":4}' });
    expect(openEnvelope("no separator")).toBeNull();
    expect(openEnvelope(Uint8Array.of(1, 2))).toBeNull();
  });

  it("carries several links' text frames in one message, and a lone envelope as before (property)", () => {
    const frame = fc.record({ linkId: fc.stringMatching(/^[\w.:-]{1,40}$/), frame: fc.json() });
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 20 }), (frames) => {
        const joined = joinEnvelopes(frames.map((f) => envelopeText(f.linkId, f.frame)));
        expect(openEnvelopes(joined)).toEqual(frames);
      }),
    );
    const bin = openEnvelopes(envelopeBinary("s.r", Uint8Array.of(1, 2)));
    expect(bin.map((e) => [e.linkId, Uint8Array.from(e.frame as Uint8Array)])).toEqual([["s.r", Uint8Array.of(1, 2)]]);
    expect(openEnvelopes(`a\u0000{}\nno separator\nb\u0000[]`)).toEqual([
      { linkId: "a", frame: "{}" },
      { linkId: "b", frame: "[]" },
    ]);
    expect(openEnvelopes("no separator")).toEqual([]);
  });

  it("reads a hub's announcements and nothing else", () => {
    expect(parseHubControl('{"t":"open","link":"s.r"}')).toEqual({ t: "open", link: "s.r" });
    expect(parseHubControl('{"t":"closed","link":"s.r"}')).toEqual({ t: "closed", link: "s.r" });
    expect(parseHubControl('{"t":"open","link":"bad link!"}')).toBeNull();
    expect(parseHubControl("{")).toBeNull();
  });

  it("marks a gateway batch urgent in its header, readable without decoding it", () => {
    const b = { seq: 1, sentAtMs: 0, traceparent: "", counters: newCounters(), points: [], ghost: new Uint8Array(0) };
    expect(isUrgentBatch(encodeBatch(b))).toBe(false);
    expect(isUrgentBatch(encodeBatch({ ...b, urgent: true }))).toBe(true);
  });
});
