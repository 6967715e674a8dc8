// A relay session of the real gateway (DroneSession) on a socket pair, for workers tests that need
// options or bindings of their own (a short LINK_IDLE_MS, a fake region namespace) where SELF has the
// deployed ones.
import type { Options } from "../../src/config.js";
import type { Env } from "../../src/env.js";
import type { Principal } from "../../src/gateway/auth.js";
import { DroneSession } from "../../src/gateway/session.js";
import { type TestClient, testClient } from "./client.js";

/** Starts the session and returns its client once welcomed, and what the session handed to waitUntil. */
export async function relaySessionOnPair(sub: string, opts: Options, env: Env): Promise<{ client: TestClient; pending: Promise<unknown>[] }> {
  const principal: Principal = { sub, role: "relay", fleet: "test", exp: Math.floor(Date.now() / 1000) + 600, jti: null, drones: null, prefix: null };
  const pair = new WebSocketPair();
  const pending: Promise<unknown>[] = [];
  new DroneSession(pair[1], principal, opts, env, { waitUntil: (p) => pending.push(p) }).start();
  const client = testClient(pair[0]);
  await client.waitFor((f) => f.kind.case === "welcome");
  return { client, pending };
}
