/** Hand-made JWTs for auth tests: any header and claims, HS256-signed over exactly those bytes. */
import { base64url } from "../../src/client/token.js";

const enc = new TextEncoder();

export async function signRaw(header: unknown, body: unknown, secret: string): Promise<string> {
  const h = base64url(enc.encode(typeof header === "string" ? header : JSON.stringify(header)));
  const b = base64url(enc.encode(typeof body === "string" ? body : JSON.stringify(body)));
  const key = await crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(`${h}.${b}`)));
  return `${h}.${b}.${base64url(sig)}`;
}

/** An HS256 token with exactly these claims (no defaults added, unlike the client's mintToken). */
export function signJwt(claims: Record<string, unknown>, secret: string): Promise<string> {
  return signRaw({ alg: "HS256", typ: "JWT" }, claims, secret);
}
