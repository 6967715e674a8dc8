/**
 * The manoeuvre names of advisories, one per value of the proto enum `Manoeuvre` (its name, lower
 * snake case; UNSPECIFIED is "none"): the region chooses them, the wire carries them, the client
 * reports them, all by these names.
 */
import { Manoeuvre } from "../gen/airspace/v1/airspace_pb.js";

export const MANOEUVRES = {
  none: Manoeuvre.UNSPECIFIED,
  climb: Manoeuvre.CLIMB,
  descend: Manoeuvre.DESCEND,
  turn_right: Manoeuvre.TURN_RIGHT,
  turn_left: Manoeuvre.TURN_LEFT,
  hold: Manoeuvre.HOLD,
} as const satisfies Record<string, Manoeuvre>;

/** A manoeuvre that can be advised, or "none". */
export type ManoeuvreOrNone = keyof typeof MANOEUVRES;
/** A manoeuvre that can be advised. */
export type ManoeuvreName = Exclude<ManoeuvreOrNone, "none">;

const BY_VALUE = new Map<number, ManoeuvreOrNone>(Object.entries(MANOEUVRES).map(([k, v]) => [v, k as ManoeuvreOrNone]));

/** The name of an enum value; one this build does not know is "none". */
export function manoeuvreName(m: number): ManoeuvreOrNone {
  return BY_VALUE.get(m) ?? "none";
}
