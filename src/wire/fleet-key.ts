/**
 * Drone ids inside the edge are namespaced by fleet: the gateway turns a token's fleet and a drone id
 * it has validated into one key, `fleet/droneId`, and every table, alert, audit row, metric and ops view
 * behind it holds that key, so two fleets' drones never share state even when their ids collide. Fleet
 * names never hold "/", so the key splits at its first one. What goes back to a client (an alert's
 * drone and other drone) is split again: a drone hears its own id, and the other drone's fleet and id.
 */

/** An ops token's fleet that sees every fleet. */
export const FLEET_ALL = "*";

const FLEET_NAME = /^[A-Za-z0-9._-]{1,32}$/;

/** A fleet a token may name: 1-32 of A-Z a-z 0-9 . _ - */
export function isFleetName(s: string): boolean {
  return FLEET_NAME.test(s);
}

/** The edge's key for `droneId` of `fleet`. */
export function fleetKey(fleet: string, droneId: string): string {
  return `${fleet}/${droneId}`;
}

/** A key's fleet and drone id; a key without a fleet (tools, old checkpoints) has fleet "". */
export function splitFleetKey(key: string): { fleet: string; droneId: string } {
  const i = key.indexOf("/");
  return i < 0 ? { fleet: "", droneId: key } : { fleet: key.slice(0, i), droneId: key.slice(i + 1) };
}

/** The drone id part of a key. */
export function localDroneId(key: string): string {
  const i = key.indexOf("/");
  return i < 0 ? key : key.slice(i + 1);
}

/** Whether an operator of `fleet` may see the drone behind `key`. */
export function fleetSees(fleet: string, key: string): boolean {
  return fleet === FLEET_ALL || (key.length > fleet.length && key.startsWith(fleet) && key.charCodeAt(fleet.length) === 47);
}
