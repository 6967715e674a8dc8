// settled() against a gateway behind on its frames is in replayer.test.ts ("counts what the edge received…").
import { describe, expect, it } from "vitest";
import { errorText, withTimeout } from "../../src/replay/connection-wait.js";

describe("errorText", () => {
  it("reads an Error, a browser-style error event and anything else", () => {
    expect(errorText(new Error("Unexpected server response: 429"))).toBe("Unexpected server response: 429");
    expect(errorText({ type: "error", message: "connect ECONNREFUSED 127.0.0.1:9" })).toBe("connect ECONNREFUSED 127.0.0.1:9");
    expect(errorText({ type: "error", message: "", error: new Error("inner") })).toBe("inner");
    expect(errorText("plain")).toBe("plain");
  });
});

describe("withTimeout", () => {
  it("resolves with the promise, or rejects with the message as it stands when the time is up", async () => {
    expect(await withTimeout(Promise.resolve(7), 1000, () => "never")).toBe(7);
    let why = "not yet";
    const late = withTimeout(new Promise(() => {}), 20, () => `gave up: ${why}`);
    why = "429";
    await expect(late).rejects.toThrow("gave up: 429");
  });
});
