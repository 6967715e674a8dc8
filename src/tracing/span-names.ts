/**
 * The spans airspace makes and their attributes, named once for the shells that make them, the
 * tests that read them and docs/operations.md ("Traces").
 */

/** Tracer (instrumentation scope) names. */
export const SCOPE = { gateway: "airspace.gateway", region: "airspace.region" } as const;

export const SPAN = {
  /** One batch a gateway link sends to its region (or hub): a trace of its own. */
  gatewayBatch: "gateway.batch",
  /** That batch applied in the region object, child of gateway.batch through the batch's traceparent. */
  regionApply: "region.apply",
  /** One alert sent to one home drone's link, child of the apply (or tick) that produced it. */
  regionAlert: "region.alert",
  /** The region's one-second tick: metrics, checkpoint, acks. */
  regionTick: "region.tick",
} as const;

export const ATTR = {
  region: "airspace.region",
  linkId: "airspace.link.id",
  seq: "airspace.batch.seq",
  points: "airspace.batch.points",
  urgent: "airspace.batch.urgent",
  /** The batch waited in the resend buffer (link reconnecting) instead of leaving at once. */
  held: "airspace.batch.held",
  outputs: "airspace.outputs",
  alerts: "airspace.alerts",
  alertId: "airspace.alert.id",
  level: "airspace.alert.level",
  /** The home drone the alert went to, then the other drone of the encounter. */
  droneIds: "airspace.alert.drone_ids",
  started: "airspace.alert.started",
  manoeuvre: "airspace.alert.manoeuvre",
  drones: "airspace.region.drones",
  links: "airspace.region.links",
  events: "airspace.region.events",
  spansDropped: "airspace.trace.spans_dropped",
} as const;
