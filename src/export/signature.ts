/**
 * The webhook's signature, `X-Airspace-Signature: t=<unix s>,v1=<hex>`, where the hex is
 * HMAC-SHA256(secret, `${t}.${body}`): the receiver recomputes it over the raw body, compares in
 * constant time, and refuses a `t` too far from its clock (a replayed delivery). Web Crypto only, so
 * the same code signs in the Worker and verifies in tests and in a receiver written in Node.
 */

import { SIGNATURE_TOLERANCE_S } from "../tunables.js";

export const SIGNATURE_HEADER = "X-Airspace-Signature";

const encoder = new TextEncoder();

async function hmacHex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
  let hex = "";
  for (const b of mac) hex += b.toString(16).padStart(2, "0");
  return hex;
}

/** The header value for `body` signed at `unixS`. */
export async function signatureHeader(secret: string, body: string, unixS: number): Promise<string> {
  const t = Math.floor(unixS);
  return `t=${t},v1=${await hmacHex(secret, `${t}.${body}`)}`;
}

/** Whether `header` signs `body` with `secret` within the tolerance of `nowS`; why not, when not. */
export async function verifySignature(
  header: string | null | undefined,
  secret: string,
  body: string,
  nowS: number,
  toleranceS = SIGNATURE_TOLERANCE_S,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (!header) return { ok: false, reason: "no signature header" };
  const parts = new Map(header.split(",").map((kv) => [kv.slice(0, kv.indexOf("=")).trim(), kv.slice(kv.indexOf("=") + 1).trim()]));
  const t = Number(parts.get("t"));
  const v1 = parts.get("v1") ?? "";
  if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(v1)) return { ok: false, reason: "malformed signature header" };
  if (Math.abs(nowS - t) > toleranceS) return { ok: false, reason: "signature timestamp outside tolerance" };
  const expected = await hmacHex(secret, `${t}.${body}`);
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ v1.charCodeAt(i);
  return diff === 0 ? { ok: true } : { ok: false, reason: "signature mismatch" };
}
