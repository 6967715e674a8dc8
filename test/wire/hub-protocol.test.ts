import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BatchFormatError, decodeBatch, decodeBatchAt, encodeBatch, isUrgentBatch } from "../../src/wire/batch-codec.js";
import type { TelemetryPoint } from "../../src/wire/point.js";
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
  readBundle,
} from "../../src/wire/hub-protocol.js";

const point = (droneId: string, i: number): TelemetryPoint => ({
  droneId,
  timeMs: 1_700_000_000_000 + i,
  lat: 52 + i / 1000,
  lon: 13,
  altM: 50,
  vn: 1,
  ve: 2,
  vu: 0,
  battery: i % 2 ? 80 : -1,
  seq: -1,
});

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

  it("reads each batch where it lies in the bundle exactly as decodeBatch reads it alone (property)", () => {
    const batch = fc.record({
      linkId: fc.stringMatching(/^[\w.:-]{1,40}$/),
      seq: fc.integer({ min: 1, max: 2 ** 32 - 1 }),
      ids: fc.array(fc.stringMatching(/^[\w-]{1,20}$/), { minLength: 1, maxLength: 4 }),
      urgent: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(batch, { maxLength: 12 }), (specs) => {
        const batches = specs.map((b) => {
          const points = b.ids.map(point);
          const bytes = encodeBatch({
            seq: b.seq,
            sentAtMs: 1.7e12,
            traceparent: "",
            counters: newCounters(),
            points,
            ghost: new Uint8Array(points.length),
            urgent: b.urgent,
            receivedMs: points.map(() => 1.7e12 - 3),
          });
          return { linkId: b.linkId, bytes };
        });
        const bundle = readBundle(encodeBundle(batches));
        expect(bundle.linkIds).toEqual(batches.map((b) => b.linkId));
        bundle.linkIds.forEach((_, i) => {
          const at = decodeBatchAt({ bytes: bundle.bytes, view: bundle.view, start: bundle.starts[i]!, end: bundle.ends[i]! });
          expect(at).toEqual(decodeBatch(batches[i]!.bytes));
        });
      }),
    );
  });

  it("never reads a batch past its own end into the next batch of the bundle", () => {
    const whole = encodeBatch({
      seq: 1,
      sentAtMs: 1.7e12,
      traceparent: "",
      counters: newCounters(),
      points: [point("a", 1), point("b", 2)],
      ghost: new Uint8Array(2),
    });
    // The first batch cut short by one point: the bytes after it (the second batch) must not complete it.
    const cut = whole.subarray(0, whole.length - 48);
    const bundle = readBundle(
      encodeBundle([
        { linkId: "s.1", bytes: cut },
        { linkId: "s.2", bytes: whole },
      ]),
    );
    const at = (i: number) => ({ bytes: bundle.bytes, view: bundle.view, start: bundle.starts[i]!, end: bundle.ends[i]! });
    expect(() => decodeBatchAt(at(0))).toThrow(BatchFormatError);
    expect(decodeBatchAt(at(1)).points.map((p) => p.droneId)).toEqual(["a", "b"]);
    // And where the bytes past the range would make a valid point, the range still bounds the batch.
    const view = new DataView(whole.buffer, whole.byteOffset, whole.byteLength);
    expect(() => decodeBatchAt({ bytes: whole, view, start: 0, end: whole.length - 48 })).toThrow(BatchFormatError);
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
