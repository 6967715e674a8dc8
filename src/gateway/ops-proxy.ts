/**
 * The gateway's side of the operators' live view: the ops stream (`/v1/ops/stream?region=`), a
 * WebSocket the region object accepts and keeps (hibernatable, src/region/ops-stream.ts), and a
 * drone's recent track. Both behind the ops role (src/gateway/app.ts); only the region key and the
 * drone id reach the region, never the token.
 */
import type { Env } from "../env.js";
import { SUBPROTOCOL } from "./auth.js";

/** Region keys are geohashes (src/geo/regions.ts). */
export const REGION_KEY = /^[0-9b-hjkmnp-z]{1,12}$/;

export type OpsProxyResult = { ok: true; response: Response } | { ok: false; status: 400 | 426; error: string; detail: string };

/** Hands the operator's socket to the region it names. */
export async function opsStream(env: Env, request: Request): Promise<OpsProxyResult> {
  if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket")
    return { ok: false, status: 426, error: "upgrade_required", detail: "open /v1/ops/stream as a WebSocket" };
  const region = new URL(request.url).searchParams.get("region") ?? "";
  if (!REGION_KEY.test(region)) return { ok: false, status: 400, error: "bad_region", detail: "region=<geohash key> is required" };
  const stub = env.REGION.get(env.REGION.idFromName(region));
  const reply = await stub.fetch(new Request(`https://region/ops/stream?region=${region}`, { headers: { Upgrade: "websocket" } }));
  if (reply.status !== 101 || !reply.webSocket) return { ok: true, response: reply };
  const headers = new Headers();
  // A browser that offered subprotocols (its token rides in one) must get one back or it drops the socket.
  if (request.headers.get("Sec-WebSocket-Protocol")) headers.set("Sec-WebSocket-Protocol", SUBPROTOCOL);
  return { ok: true, response: new Response(null, { status: 101, webSocket: reply.webSocket, headers }) };
}

/** `/v1/regions/:region/drones/:drone/track?since=&limit=` from the region's ring. */
export async function droneTrack(env: Env, region: string, drone: string, search: URLSearchParams): Promise<OpsProxyResult> {
  if (!REGION_KEY.test(region)) return { ok: false, status: 400, error: "bad_region", detail: "region keys are geohashes" };
  if (drone.length === 0 || new TextEncoder().encode(drone).length > 64)
    return { ok: false, status: 400, error: "bad_drone", detail: "drone ids are 1-64 bytes" };
  const q = new URLSearchParams({ region, drone });
  for (const k of ["since", "limit"]) {
    const v = search.get(k);
    if (v !== null) q.set(k, v);
  }
  const stub = env.REGION.get(env.REGION.idFromName(region));
  return { ok: true, response: await stub.fetch(new Request(`https://region/ops/track?${q}`)) };
}
