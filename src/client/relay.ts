/**
 * Many drones over one socket, with a relay token (`role: "relay"`): a ground station or a fleet
 * backend. Every point names its drone; rate-limit notices pause only the drone they name.
 */
import { BaseClient, type ClientOptions } from "./base.js";
import { InvalidPointError, checkPoint, type ClientPoint } from "./wire.js";

export type RelayClientOptions = ClientOptions;

export class RelayClient extends BaseClient {
  constructor(opts: RelayClientOptions) {
    super(opts, 100_000);
  }

  /** Queues a point; `droneId` is required. */
  protected prepare(p: ClientPoint): ClientPoint {
    checkPoint(p);
    if (!p.droneId) throw new InvalidPointError("a relay must name the drone of every point (droneId)");
    return p;
  }

  protected implicitDroneId(): undefined {
    return undefined;
  }

  /** True while the server asked us to hold `droneId`'s points (rate limit). */
  isPaused(droneId: string): boolean {
    return this.outbox.isPaused(droneId, this.now());
  }
}
