/**
 * Which connection carries which drone. A relay connection may carry at most the edge's per-relay
 * drone limit (the welcome's relay_max_drones, RELAY_MAX_DRONES): drones beyond it would be rate
 * limited, so a replay spreads its drones over as many connections as that needs, each drone on the
 * connection it was first given; with `perDrone` every drone gets a socket of its own. Pure.
 */

export function connectionsNeeded(drones: number, perConnection: number): number {
  const per = Math.max(1, Math.floor(perConnection));
  return Math.max(1, Math.ceil(drones / per));
}

export class ConnectionPlan {
  readonly connections: number;
  private readonly perConnection: number;
  private readonly assigned = new Map<string, number>();

  /** `drones`: how many the replay will send (from the scan); `relayMaxDrones`: the edge's limit. */
  constructor(o: { drones: number; relayMaxDrones: number; perDrone: boolean }) {
    this.perConnection = o.perDrone ? 1 : Math.max(1, Math.floor(o.relayMaxDrones));
    this.connections = connectionsNeeded(o.drones, this.perConnection);
  }

  /** The connection of `droneId`: the k-th new drone goes to connection ⌊k / perConnection⌋ (the last one once full). */
  connectionOf(droneId: string): number {
    let c = this.assigned.get(droneId);
    if (c === undefined) {
      c = Math.min(this.connections - 1, Math.floor(this.assigned.size / this.perConnection));
      this.assigned.set(droneId, c);
    }
    return c;
  }
}
