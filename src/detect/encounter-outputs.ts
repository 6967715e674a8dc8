/**
 * What an encounter's transition sends: one alert to each home side of the pair (a ghost is alerted by
 * its own home region), and at its start the coordinated manoeuvres for both drones.
 */
import { chooseAdvisories, type ManoeuvreRates } from "./advisories.js";
import type { Encounter, Transition } from "./alerts.js";
import type { ConflictParams, Prediction } from "./conflicts.js";
import type { DroneTable } from "./drone-table.js";
import { type LinkTable, NO_LINK } from "./link-table.js";
import type { RegionOutput } from "./region-outputs.js";

/**
 * One AlertOut per home side of the pair (a clear only to sides that were alerted); with
 * `unsentOnly`, only to home sides that have not been alerted yet. Marks the sides it alerts.
 */
export function pushAlerts(out: RegionOutput[], e: Encounter, t: Transition, f: DroneTable, links: LinkTable, unsentOnly = false): void {
  for (let side = 0; side < 2; side++) {
    const s = side === 0 ? e.slotLo : e.slotHi;
    const o = side === 0 ? e.slotHi : e.slotLo;
    if (unsentOnly && (side === 0 ? e.sentLo : e.sentHi)) continue;
    if (t === "clear") {
      if (!(side === 0 ? e.sentLo : e.sentHi)) continue;
    } else {
      if (f.ghost[s] === 1 || f.link[s] === NO_LINK) continue; // ghosts are alerted by their home region
      if (side === 0) e.sentLo = true;
      else e.sentHi = true;
    }
    out.push({
      kind: "alert",
      linkId: links.name(f.link[s]!),
      droneId: side === 0 ? e.idLo : e.idHi,
      otherId: side === 0 ? e.idHi : e.idLo,
      alertId: e.alertId,
      level: t === "clear" ? "clear" : e.level,
      tEntryS: t === "clear" ? NaN : e.tEntryS,
      tCpaS: e.tCpaS,
      hsepCpaM: e.hsepCpaM,
      vsepCpaM: e.vsepCpaM,
      other: f.toPoint(o),
      computedForMs: e.computedForMs,
      manoeuvre: t === "clear" ? "none" : side === 0 ? e.manLo : e.manHi,
      otherAgeMs: 0,
      // The first alert of each side only: a re-send (late joiner, new home link) is not a new encounter.
      edgeReceivedMs: t === "start" && !unsentOnly ? e.edgeReceivedMs : 0,
    });
  }
}

/**
 * Tells each home side of the pair whose traffic stopped reporting (the side still `usable`, and the
 * newer of the two) the last known state of the other, how long ago it was heard, and the manoeuvre in
 * force: not a clear, nothing says the conflict is over. The side counts as alerted, so the
 * encounter's eventual clear reaches it. A pair both silent tells nobody.
 */
export function pushTrafficLost(out: RegionOutput[], e: Encounter, f: DroneTable, links: LinkTable, usable: (s: number) => boolean, nowMs: number): void {
  for (const s of [e.slotLo, e.slotHi]) {
    const o = s === e.slotLo ? e.slotHi : e.slotLo;
    if (usable(s) && f.timeMs[s]! > f.timeMs[o]!) tellLost(out, e, s, f, links, nowMs);
  }
}

function tellLost(out: RegionOutput[], e: Encounter, s: number, f: DroneTable, links: LinkTable, nowMs: number): void {
  if (f.ghost[s] === 1 || f.link[s] === NO_LINK) return; // ghosts are told by their home region
  const lo = s === e.slotLo;
  const o = lo ? e.slotHi : e.slotLo;
  if (lo) e.sentLo = true;
  else e.sentHi = true;
  out.push({
    kind: "alert",
    linkId: links.name(f.link[s]!),
    droneId: lo ? e.idLo : e.idHi,
    otherId: lo ? e.idHi : e.idLo,
    alertId: e.alertId,
    level: "traffic_lost",
    tEntryS: e.tEntryS,
    tCpaS: e.tCpaS,
    hsepCpaM: e.hsepCpaM,
    vsepCpaM: e.vsepCpaM,
    other: f.toPoint(o),
    computedForMs: e.computedForMs,
    manoeuvre: lo ? e.manLo : e.manHi,
    otherAgeMs: nowMs - f.lastSeenMs[o]!,
  });
}

/** The complementary manoeuvres of a starting encounter of a and b, set on `e` by side. */
export function assignManoeuvres(e: Encounter, f: DroneTable, a: number, b: number, pr: Prediction, params: ConflictParams, rates: ManoeuvreRates): void {
  const g = {
    relE: pr.relE,
    relN: pr.relN,
    relU: pr.relU,
    aVe: f.ve[a]!,
    aVn: f.vn[a]!,
    aVu: f.vu[a]!,
    bVe: f.ve[a]! + pr.relVe,
    bVn: f.vn[a]! + pr.relVn,
    bVu: f.vu[a]! + pr.relVu,
  };
  const [ma, mb] = chooseAdvisories(f.ids[a]!, f.ids[b]!, g, params, rates);
  e.manLo = e.slotLo === a ? ma : mb;
  e.manHi = e.slotLo === a ? mb : ma;
}
