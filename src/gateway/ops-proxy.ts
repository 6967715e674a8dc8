/**
 * The gateway's side of the operators' live view: the ops stream (`/v1/ops/stream?region=`), a
 * WebSocket the region object accepts and keeps (hibernatable, src/region/ops-stream.ts), and a
 * drone's recent track. Both behind the ops role (src/gateway/app.ts); only the region key and the
 * drone id reach the region, never the token. An operator sees its token's fleet: the region is told
 * the fleet (`fleet=`, "*" for all) and a drone id is qualified with it (src/wire/fleet-key.ts); an
 * all-fleets operator names drones by their full key, `fleet/droneId`.
 */
import type { Env } from "../env.js";
import { FLEET_ALL, fleetKey, isFleetName } from "../wire/fleet-key.js";
import { MAX_ID_BYTES } from "../tunables.js";
import { chosenSubprotocol } from "./auth.js";

/** Region keys are geohashes (src/geo/regions.ts). */
export const REGION_KEY = /^[0-9b-hjkmnp-z]{1,12}$/;

export type OpsProxyResult = { ok: true; response: Response } | { ok: false; status: 400 | 426; error: string; detail: string };

/** An operator's drone id as the edge's key: qualified with the token's fleet, or already `fleet/id` for an all-fleets operator. */
export function opsDroneKey(opsFleet: string, drone: string): string | null {
  if (drone.length === 0) return null;
  if (opsFleet !== FLEET_ALL) return new TextEncoder().encode(drone).length <= MAX_ID_BYTES ? fleetKey(opsFleet, drone) : null;
  const slash = drone.indexOf("/");
  return slash > 0 && isFleetName(drone.slice(0, slash)) && new TextEncoder().encode(drone).length - slash - 1 <= MAX_ID_BYTES && slash < drone.length - 1
    ? drone
    : null;
}

/** The query for a region's ops view: the caller's, with `fleet` set from the token and `drone` qualified. */
export function opsFleetParams(
  opsFleet: string,
  search: URLSearchParams,
): { ok: true; params: URLSearchParams } | { ok: false; status: 400; error: string; detail: string } {
  const q = new URLSearchParams(search);
  q.delete("region");
  q.set("fleet", opsFleet);
  const drone = search.get("drone");
  if (drone) {
    const key = opsDroneKey(opsFleet, drone);
    if (key === null) return { ok: false, status: 400, error: "bad_drone", detail: badDrone(opsFleet) };
    q.set("drone", key);
  }
  return { ok: true, params: q };
}

function badDrone(opsFleet: string): string {
  return opsFleet === FLEET_ALL ? "an all-fleets operator names a drone as fleet/droneId" : "drone ids are 1-64 bytes";
}

/** Hands the operator's socket to the region it names. */
export async function opsStream(env: Env, request: Request, opsFleet: string): Promise<OpsProxyResult> {
  if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket")
    return { ok: false, status: 426, error: "upgrade_required", detail: "open /v1/ops/stream as a WebSocket" };
  const region = new URL(request.url).searchParams.get("region") ?? "";
  if (!REGION_KEY.test(region)) return { ok: false, status: 400, error: "bad_region", detail: "region=<geohash key> is required" };
  const stub = env.REGION.get(env.REGION.idFromName(region));
  const q = new URLSearchParams({ region, fleet: opsFleet });
  const reply = await stub.fetch(new Request(`https://region/ops/stream?${q}`, { headers: { Upgrade: "websocket" } }));
  if (reply.status !== 101 || !reply.webSocket) return { ok: true, response: reply };
  const headers = new Headers();
  // A browser that offered airspace.v1 (its token rides in another) must get it back or it drops the socket.
  const protocol = chosenSubprotocol(request.headers);
  if (protocol) headers.set("Sec-WebSocket-Protocol", protocol);
  return { ok: true, response: new Response(null, { status: 101, webSocket: reply.webSocket, headers }) };
}

/** `/v1/regions/:region/drones/:drone/track?since=&limit=` from the region's ring. */
export async function droneTrack(env: Env, region: string, drone: string, search: URLSearchParams, opsFleet: string): Promise<OpsProxyResult> {
  if (!REGION_KEY.test(region)) return { ok: false, status: 400, error: "bad_region", detail: "region keys are geohashes" };
  const key = opsDroneKey(opsFleet, drone);
  if (key === null) return { ok: false, status: 400, error: "bad_drone", detail: badDrone(opsFleet) };
  const q = new URLSearchParams({ region, drone: key, fleet: opsFleet });
  for (const k of ["since", "limit"]) {
    const v = search.get(k);
    if (v !== null) q.set(k, v);
  }
  const stub = env.REGION.get(env.REGION.idFromName(region));
  return { ok: true, response: await stub.fetch(new Request(`https://region/ops/track?${q}`)) };
}
