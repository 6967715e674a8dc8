import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signatureHeader, verifySignature } from "../../src/export/signature.js";

describe("webhook signature", () => {
  const secret = "a-webhook-secret-of-at-least-32-bytes!";
  const body = JSON.stringify({ v: 1, events: [{ id: "x" }] });

  it("is HMAC-SHA256 over `t.body`, as a receiver with node:crypto computes it", async () => {
    const header = await signatureHeader(secret, body, 1_700_000_000.7);
    const hex = createHmac("sha256", secret).update(`1700000000.${body}`).digest("hex");
    expect(header).toBe(`t=1700000000,v1=${hex}`);
  });

  it("verifies its own signature and refuses a changed body, another secret, an old time or junk", async () => {
    const header = await signatureHeader(secret, body, 1000);
    expect(await verifySignature(header, secret, body, 1010)).toEqual({ ok: true });
    expect(await verifySignature(header, secret, `${body} `, 1010)).toEqual({ ok: false, reason: "signature mismatch" });
    expect(await verifySignature(header, "another-secret", body, 1010)).toEqual({ ok: false, reason: "signature mismatch" });
    expect(await verifySignature(header, secret, body, 1000 + 301)).toEqual({ ok: false, reason: "signature timestamp outside tolerance" });
    for (const junk of ["", "t=1000", "v1=abc", `t=x,v1=${"0".repeat(64)}`, `t=1000,v1=${"0".repeat(63)}`])
      expect((await verifySignature(junk, secret, body, 1000)).ok, junk).toBe(false);
    expect(await verifySignature(null, secret, body, 1000)).toEqual({ ok: false, reason: "no signature header" });
  });
});
