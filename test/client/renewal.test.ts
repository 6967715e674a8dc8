import { afterEach, describe, expect, it, vi } from "vitest";
import { RENEW_LEAD_MS, TokenRenewal } from "../../src/client/renewal.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("TokenRenewal", () => {
  it("asks for a fresh token at 80% of the remaining lifetime and sends it", async () => {
    vi.useFakeTimers({ now: 0 });
    const sent: string[] = [];
    let n = 0;
    const r = new TokenRenewal(
      () => `tok-${++n}`,
      (t) => sent.push(t) > 0,
      Date.now,
      (e) => {
        throw e;
      },
    );
    r.arm(100_000);
    await vi.advanceTimersByTimeAsync(79_999);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toEqual(["tok-1"]);
    r.arm(200_000); // Renewed: the next one is scheduled from the new expiry
    await vi.advanceTimersByTimeAsync(96_000);
    expect(sent).toEqual(["tok-1", "tok-2"]);
  });

  it("renews at least RENEW_LEAD_MS before exp, never with a static token, and stops with the session", async () => {
    vi.useFakeTimers({ now: 0 });
    const sent: string[] = [];
    const r = new TokenRenewal(
      () => "t",
      (t) => sent.push(t) > 0,
      Date.now,
      () => {},
    );
    r.arm(10_000);
    await vi.advanceTimersByTimeAsync(10_000 - RENEW_LEAD_MS);
    expect(sent).toEqual(["t"]);
    r.arm(20_000);
    r.stop();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(sent).toEqual(["t"]);
    const fixed = new TokenRenewal(
      null,
      (t) => sent.push(t) > 0,
      Date.now,
      () => {},
    );
    fixed.arm(30_000);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(sent).toEqual(["t"]);
  });

  it("reports a token source that fails, or a socket that is gone", async () => {
    vi.useFakeTimers({ now: 0 });
    const errors: unknown[] = [];
    const failing = new TokenRenewal(
      () => Promise.reject(new Error("auth service down")),
      () => true,
      Date.now,
      (e) => errors.push(e),
    );
    failing.arm(10_000);
    const closed = new TokenRenewal(
      () => "t",
      () => false,
      Date.now,
      (e) => errors.push(e),
    );
    closed.arm(10_000);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(errors.map((e) => (e as Error).message)).toEqual(["auth service down", "token renewal: the socket is not open"]);
  });
});
