import { describe, expect, it } from "vitest";
import { backoffSeconds, deliveryOutcome, retryAfterSeconds } from "../../src/export/delivery-policy.js";

describe("delivery policy", () => {
  it("acks 2xx only", () => {
    for (const s of [200, 201, 204, 299]) expect(deliveryOutcome(s, 1, 2)).toEqual({ kind: "ack" });
  });

  it("retries network errors, 408, 429 and 5xx with doubling backoff, capped at 300 s", () => {
    expect([1, 2, 3, 4].map((a) => deliveryOutcome(503, a, 2))).toEqual([2, 4, 8, 16].map((d) => ({ kind: "retry", delaySeconds: d })));
    for (const s of ["network", 408, 429, 500, 502, 599] as const) expect(deliveryOutcome(s, 1, 2).kind, String(s)).toBe("retry");
    expect(backoffSeconds(30, 2)).toBe(300);
    expect(backoffSeconds(1000, 2)).toBe(300);
    expect(backoffSeconds(3, 0)).toBe(0);
  });

  it("honours a Retry-After in seconds when it asks for longer, capped", () => {
    expect(deliveryOutcome(429, 1, 2, "30")).toEqual({ kind: "retry", delaySeconds: 30 });
    expect(deliveryOutcome(429, 5, 2, "1")).toEqual({ kind: "retry", delaySeconds: 32 });
    expect(retryAfterSeconds("86400")).toBe(300);
    expect(retryAfterSeconds("Wed, 21 Oct 2026 07:28:00 GMT")).toBeNull();
    expect(retryAfterSeconds(null)).toBeNull();
  });

  it("sends any other answer straight to the dead-letter queue", () => {
    for (const s of [301, 302, 400, 401, 403, 404, 410, 413, 422])
      expect(deliveryOutcome(s, 1, 2), String(s)).toEqual({ kind: "dead", reason: `webhook answered ${s}` });
  });
});
