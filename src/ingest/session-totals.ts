/** What one connection has sent and what became of it: the counters a pong reports to the client. */
export class SessionTotals {
  frames = 0;
  pointsReceived = 0;
  pointsAccepted = 0;
  pointsRejected = 0;
  pointsRateLimited = 0;
  pointsDeduped = 0;
  alertsDelivered = 0;
  pointsLost = 0;
  /** Held back before acceptance while a region shed load (ingest/load-shed.ts). */
  pointsShed = 0;
  /** Frames refused unread by the connection's frame, byte or point budget (a RateLimitNotice at most once a second). */
  framesLimited = 0;

  /** The wire's SessionCounters (uint64 fields). */
  message() {
    return {
      frames: BigInt(this.frames),
      pointsReceived: BigInt(this.pointsReceived),
      pointsAccepted: BigInt(this.pointsAccepted),
      pointsRejected: BigInt(this.pointsRejected),
      pointsRateLimited: BigInt(this.pointsRateLimited),
      pointsDeduped: BigInt(this.pointsDeduped),
      alertsDelivered: BigInt(this.alertsDelivered),
      pointsLost: BigInt(this.pointsLost),
      pointsShed: BigInt(this.pointsShed),
    };
  }
}
