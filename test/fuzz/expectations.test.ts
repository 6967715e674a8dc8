import { describe, expect, it } from "vitest";
import { type Outcome, outcomeLabel, unmet } from "../../src/fuzz/expectations.js";
import { ErrorCode } from "../../src/gen/airspace/v1/airspace_pb.js";

const none: Outcome = { errors: [], close: null, pong: false, accepted: 0, rejected: 0, rateLimited: 0, deduped: 0, limitedUnread: false };
const o = (over: Partial<Outcome>): Outcome => ({ ...none, ...over });

describe("expectations", () => {
  it("labels an outcome by its close, else its first error, else what happened to its points", () => {
    expect(outcomeLabel(o({ errors: [ErrorCode.BAD_FRAME, ErrorCode.POLICY], close: 1008 }))).toBe("close 1008");
    expect(outcomeLabel(o({ errors: [ErrorCode.INVALID_POINT], accepted: 3 }))).toBe("error INVALID_POINT");
    expect(outcomeLabel(o({ pong: true }))).toBe("pong");
    expect(outcomeLabel(o({ accepted: 1, deduped: 2 }))).toBe("accepted");
    expect(outcomeLabel(o({ deduped: 2 }))).toBe("deduped");
    expect(outcomeLabel(o({ rateLimited: 2 }))).toBe("rate-limited");
    expect(outcomeLabel(none)).toBe("no points");
  });

  it.each([
    ["clean", o({ accepted: 2 }), true],
    ["clean", o({ errors: [ErrorCode.INVALID_POINT] }), false],
    ["refused", o({ errors: [ErrorCode.TOO_MANY_POINTS] }), true],
    ["refused", o({ accepted: 1 }), false],
    ["bad-frame", o({ errors: [ErrorCode.BAD_FRAME] }), true],
    ["bad-frame", o({ errors: [ErrorCode.BAD_FRAME, ErrorCode.POLICY], close: 1008 }), true],
    ["bad-frame", o({ errors: [ErrorCode.BAD_FRAME], close: 1009 }), false],
    ["bad-frame", o({ errors: [ErrorCode.STREAM], close: 1007 }), false],
    ["too-large", o({ errors: [ErrorCode.FRAME_TOO_LARGE], close: 1009 }), true],
    ["too-large", o({ errors: [ErrorCode.BAD_FRAME] }), false],
    ["stream-lost", o({ errors: [ErrorCode.STREAM], close: 1007 }), true],
    ["stream-lost", o({ errors: [ErrorCode.STREAM] }), false],
    ["invalid-point", o({ errors: [ErrorCode.WRONG_DRONE] }), true],
    ["invalid-point", o({ rateLimited: 3 }), true],
    ["invalid-point", o({ accepted: 1 }), false],
    ["any", o({ accepted: 1 }), true],
  ] as const)("%s holds for %o: %s", (e, outcome, ok) => {
    expect(unmet(e, outcome) === null).toBe(ok);
  });
});
