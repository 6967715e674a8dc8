// Continuous tracks across a region border under load, through the real gateway and regions. A drone
// hovering (so that its reports are near-duplicates, forwarded once a second by the dedupe refresh)
// while its intruder crosses the border into its region must be alerted like the intruder: this is
// the public encounter 210 geometry (and 198, 208), which once went one-sided on every run when the
// gateway held a hovering drone's refreshes back from a backlogged link (issue 14).
import { describe, expect, it } from "vitest";
import { AlertLevel, ErrorCode } from "../../src/gen/airspace/v1/airspace_pb.js";
import encountersText from "../fixtures/encounters-public.jsonl?raw";
import { connect, eventually, ping, token } from "../helpers/client.js";
import { type Encounter, layoutTracks, REPORT_TIMES_S } from "../helpers/encounter-tracks.js";

const encounters: Encounter[] = encountersText.trim().split("\n").map((l: string) => JSON.parse(l) as Encounter);
/** The hovering cases: own (198, 210) or intruder (208) at speed 0 while the other crosses. */
const HOVERING = [198, 208, 210];
/** A geohash-4 meridian border (8.0859375° E) and one cell row of it (46.934° to 47.109° N). */
const BORDER_LON = 535 * 0.3515625 - 180;
const LAT0 = 46.95;
/** 400 m between pairs: no pair can come near another within the run. */
const SPACING_DEG = 0.0036;
/** Pairs in the two cells: the hovering ones and enough other public encounters to load both links. */
const PAIRS = 38;

describe("continuous tracks across a border under load", () => {
  it("alerts both drones of every conflict, the hovering one too, and loses nothing", async () => {
    const traffic = encounters.filter((e) => !HOVERING.includes(e.id)).slice(0, PAIRS - HOVERING.length);
    const chosen = [...HOVERING.map((id) => encounters.find((e) => e.id === id)!), ...traffic];
    const layout = layoutTracks(chosen, BORDER_LON, LAT0, SPACING_DEG, "load-");
    const relay = await connect(await token("relay-tracks", "relay"));
    await relay.waitFor((f) => f.kind.case === "welcome");
    const start = Date.now() + 50;
    const frames = layout.frames(start);
    let sent = 0;
    for (let k = 0; k < frames.length; k++) {
      const wait = start + k * 100 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      // Stamped when sent, as a live relay would: the run's timeline is the wall clock's.
      const now = Date.now();
      relay.send(frames[k]!.map((p) => ({ ...p, timeMs: Math.min(p.timeMs, now) })));
      sent += frames[k]!.length;
    }
    expect(frames.length).toBe(REPORT_TIMES_S.length);

    const alerted = (a: string, b: string) => relay.alerts().some((x) => x.droneId === a && x.otherId === b && x.level !== AlertLevel.CLEAR);
    const conflicts = layout.pairs.filter((p) => p.conflict === true);
    const quiet = layout.pairs.filter((p) => p.conflict === false);
    expect(conflicts.length).toBeGreaterThanOrEqual(10);
    for (const id of HOVERING) expect(layout.pairs.find((p) => p.ids[0] === `load-${id}a`)!.conflict).toBe(true);
    await eventually(() => conflicts.every((p) => alerted(p.ids[0], p.ids[1]) && alerted(p.ids[1], p.ids[0])), 3000, "alerts on both drones of every conflict").catch(() => {
      const bad = conflicts.filter((p) => !(alerted(p.ids[0], p.ids[1]) && alerted(p.ids[1], p.ids[0]))).map((p) => p.ids.join("/"));
      throw new Error(`not alerted on both drones: ${bad.join(", ")}`);
    });
    expect(quiet.filter((p) => alerted(p.ids[0], p.ids[1]) || alerted(p.ids[1], p.ids[0])).map((p) => p.ids[0])).toEqual([]);

    // Nothing was lost, limited or rejected on the way, and the edge never said it was behind.
    relay.sendRaw(ping(1));
    const pong = await relay.waitFor((f) => f.kind.case === "pong", 5000, "pong");
    const c = pong.kind.case === "pong" ? pong.kind.value.counters! : null;
    expect(Number(c!.pointsReceived)).toBe(sent);
    expect(Number(c!.pointsAccepted) + Number(c!.pointsDeduped)).toBe(sent);
    expect(Number(c!.pointsLost)).toBe(0);
    const errors = relay.frames.flatMap((f) => (f.kind.case === "error" ? [f.kind.value] : []));
    expect(errors.filter((e) => e.code === ErrorCode.DATA_LOSS || e.code === ErrorCode.STALE_ON_ARRIVAL)).toEqual([]);
    relay.close();
  }, 30_000);
});
