// The replay tool end to end (issue 13): the OpenSky samples (four recordings on four days, one
// aircraft id in two of them) through the CLI at --speed max against a cold local edge (Miniflare, as
// `npm start` runs it). The replay paces every drone at the welcome's rate and burst, so nothing may be
// rate-limited or rejected: every point is accepted or deduped, and the summary's counts are the
// edge's own pong counters. The edge's per-drone rate is raised so the 2,697 reports of the longest
// recording take seconds, not minutes; the pacing must follow it from the welcome.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Edge } from "../../scripts/bench/edge.js";
import { buildSnapshot, type Snapshot } from "../../scripts/lib/snapshot.js";
import { mintToken } from "../../src/client/token.js";
import type { ReplaySummary } from "../../src/replay/replay-summary.js";
import { OPENSKY_PATH } from "../fixtures/paths.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
let snap: Snapshot | undefined;
let edge: Edge | undefined;
const secret = randomBytes(24).toString("hex");
const dir = mkdtempSync(join(tmpdir(), "airspace-replay-e2e-"));

beforeAll(async () => {
  snap = buildSnapshot(ROOT, "replay-e2e");
  // At --speed max a recording's reports are stamped as they are sent, milliseconds apart: a real edge
  // rejects the aircraft's implied speeds as jumps, so this edge turns the jump check off (JUMP_CHECK_MPS).
  edge = await Edge.start({
    root: ROOT,
    config: snap.config,
    secret,
    label: "replay-e2e",
    vars: { DRONE_RATE: 400, DRONE_BURST: 800, JUMP_CHECK_MPS: 1e9, TOKEN_MAX_CONNECTIONS: 2 },
  });
}, 120_000);

afterAll(async () => {
  await edge?.stop();
  snap?.remove();
  rmSync(dir, { recursive: true, force: true });
});

function replay(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const options = { cwd: ROOT, timeout: 60_000, env: { ...process.env, ...env } };
    execFile(process.execPath, ["--import", "tsx", join(ROOT, "scripts/replay.ts"), ...args], options, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("npm run replay at max", () => {
  it("replays the OpenSky samples with nothing rate-limited or rejected, and reports the edge's counters", async () => {
    const token = await mintToken(secret, { sub: "replay-e2e", fleet: "replay", role: "relay" }, { ttlS: 3600 });
    const json = join(dir, "summary.json");
    const r = await replay(["--url", edge!.wsUrl, "--token", token, "--file", OPENSKY_PATH, "--speed", "max", "--json", json, "--linger-ms", "500"]);
    console.log(r.stdout, r.stderr.slice(-2000));
    expect(r.code).toBe(0);
    const s = JSON.parse(readFileSync(json, "utf8")) as ReplaySummary;
    expect(s.rows).toBe(4494);
    expect(s.recordings).toBe(4);
    expect(s.bad).toBe(0);
    expect(s.sent).toBe(s.rows);
    expect(s.missingCounters).toBe(0);
    const c = s.server;
    expect({ rateLimited: c.pointsRateLimited, rejected: c.pointsRejected, lost: c.pointsLost }).toEqual({ rateLimited: 0, rejected: 0, lost: 0 });
    expect(c.pointsReceived).toBe(s.sent);
    expect(c.pointsAccepted + c.pointsDeduped).toBe(s.sent);
    // The printed summary carries the same counts.
    expect(r.stdout).toContain(
      `accepted ${c.pointsAccepted.toLocaleString("en-US")}, deduped ${c.pointsDeduped.toLocaleString("en-US")}, rate-limited 0, rejected 0`,
    );
  }, 90_000);

  // A socket per drone, each with a token of its own minted from the secret: this edge holds a token
  // to 2 sockets (TOKEN_MAX_CONNECTIONS), so one token for the four would be refused.
  it("replays them with --per-drone over a socket and a token per drone, nothing limited or rejected", async () => {
    const json = join(dir, "per-drone.json");
    const r = await replay(["--url", edge!.wsUrl, "--file", OPENSKY_PATH, "--speed", "max", "--per-drone", "--json", json, "--linger-ms", "500"], {
      AIRSPACE_JWT_SECRET: secret,
    });
    console.log(r.stdout, r.stderr.slice(-2000));
    expect(r.code).toBe(0);
    const s = JSON.parse(readFileSync(json, "utf8")) as ReplaySummary;
    expect({ connections: s.connections, sent: s.sent, missing: s.missingCounters }).toEqual({ connections: 4, sent: 4494, missing: 0 });
    const c = s.server;
    expect({ rateLimited: c.pointsRateLimited, rejected: c.pointsRejected, lost: c.pointsLost }).toEqual({ rateLimited: 0, rejected: 0, lost: 0 });
    expect(c.pointsAccepted + c.pointsDeduped).toBe(s.sent);
  }, 90_000);
});
