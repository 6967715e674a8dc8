import { describe, expect, it } from "vitest";
import { encodeControl, parseControl, type RegionControl } from "../../src/wire/link-protocol.js";

describe("region → gateway control frames", () => {
  it("round-trips hello, ack, proximity and far", () => {
    const messages: RegionControl[] = [
      { t: "hello", applied: 0 },
      { t: "hello", applied: 4_000_000_001 },
      { t: "ack", seq: 17 },
      { t: "proximity", ids: ["d-1", "Drohne-Zürich", "🚁"] },
      { t: "far", ids: [], validMs: 0 },
      { t: "far", ids: ["d-2", "d-3"], validMs: 1500 },
    ];
    for (const m of messages) {
      const text = encodeControl(m);
      expect(typeof text).toBe("string");
      expect(parseControl(text)).toEqual(m);
    }
  });

  it("keeps only the known fields of a message with extra ones", () => {
    expect(parseControl('{"t":"ack","seq":3,"extra":true}')).toEqual({ t: "ack", seq: 3 });
    expect(parseControl('{"t":"proximity","ids":["a"],"why":"2R"}')).toEqual({ t: "proximity", ids: ["a"] });
  });

  it("reads the old name of the proximity set, from a build before v0.2 during a deploy", () => {
    expect(parseControl('{"t":"near","ids":["a"]}')).toEqual({ t: "proximity", ids: ["a"] });
  });

  it("returns null for malformed JSON", () => {
    for (const text of ["", "{", '{"t":"ack","seq":1', "ack", "{t:'ack'}"]) expect(parseControl(text), text).toBeNull();
  });

  it("returns null for JSON that is not an object", () => {
    for (const text of ["null", "1", '"hello"', "true", "[]", '[{"t":"ack","seq":1}]']) expect(parseControl(text), text).toBeNull();
  });

  it("returns null for wrong field types", () => {
    const bad = [
      '{"t":"hello"}',
      '{"t":"hello","applied":"3"}',
      '{"t":"hello","applied":null}',
      '{"t":"ack"}',
      '{"t":"ack","seq":"1"}',
      '{"t":"ack","seq":[1]}',
      '{"t":"proximity"}',
      '{"t":"proximity","ids":"d-1"}',
      '{"t":"proximity","ids":["d-1",2]}',
      '{"t":"near","ids":"d-1"}',
      '{"t":"far","ids":[null],"validMs":100}',
      '{"t":"far","ids":{"0":"d-1"},"validMs":100}',
      '{"t":"far","ids":["d-1"]}',
      '{"t":"far","ids":["d-1"],"validMs":"100"}',
      '{"t":"far","ids":["d-1"],"validMs":-1}',
    ];
    for (const text of bad) expect(parseControl(text), text).toBeNull();
  });

  it("returns null for an unknown or missing t (a newer region talking to an older gateway)", () => {
    for (const text of ['{"t":"resync","from":3}', '{"applied":3}', '{"t":1}', '{"t":"HELLO","applied":1}', '{"t":null}'])
      expect(parseControl(text), text).toBeNull();
  });
});
