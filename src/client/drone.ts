/**
 * One drone on its own socket, with a drone token whose `sub` is the drone id. The id is left off the
 * wire (the server takes it from the token), which is what keeps a report at about 30 bytes.
 */
import { BaseClient, type ClientOptions } from "./base.js";
import { InvalidPointError, checkPoint, type ClientPoint } from "./wire.js";

export interface DroneClientOptions extends ClientOptions {
  /** This drone's id (the token's `sub`). Default: learnt from the welcome; points may omit it. */
  droneId?: string;
}

export class DroneClient extends BaseClient {
  private readonly ownId: string | undefined;

  constructor(opts: DroneClientOptions) {
    super(opts, 1000);
    this.ownId = opts.droneId;
  }

  /** The drone id: the option, else the welcome's, else "" (unknown until welcomed). */
  get droneId(): string {
    return this.ownId ?? this.welcome?.droneId ?? "";
  }

  protected prepare(p: ClientPoint): ClientPoint {
    checkPoint(p);
    if (p.droneId !== undefined && p.droneId !== "" && this.ownId !== undefined && p.droneId !== this.ownId)
      throw new InvalidPointError(`a drone client sends only its own id (${this.ownId}), got ${p.droneId}`);
    // Queued with an empty id: the outbox keys pauses by id, and the server's notices for a drone
    // token name either its id or nothing; both must hit this queue.
    return p.droneId === "" || p.droneId === undefined ? p : { ...p, droneId: "" };
  }

  /** A drone socket carries one drone: any notice pauses the whole queue. */
  protected override pauseKey(): string {
    return "";
  }

  protected implicitDroneId(): string {
    return "";
  }
}
