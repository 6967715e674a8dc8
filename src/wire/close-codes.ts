/**
 * Every WebSocket close code airspace sends, in one table (RFC 6455 §7.4.1), for the gateway, the
 * region and the client library alike. 1005 and 1006 are never sent: they only report a missing code.
 */
export const CloseCode = {
  /** Done: the client left, or a link is no longer needed. */
  NORMAL: 1000,
  /** A region received bytes that are not a batch: the link reconnects and resends. */
  PROTOCOL: 1002,
  /** A TelemetryStream frame could not be read against the connection's stream state. */
  STREAM_LOST: 1007,
  /** Repeated abuse: too many bad frames, or far above the rate for too long. Clients back off. */
  POLICY: 1008,
  /** A frame over MAX_FRAME_BYTES, compressed or not. */
  TOO_BIG: 1009,
  /** A region object not ready for a link (it had no region key), or unable to apply a batch: the link reconnects and resends. */
  INTERNAL: 1011,
  /**
   * The socket's token expired and was not renewed in-band (ClientFrame.renew): reconnect with a fresh
   * token. Application range (RFC 6455 §7.4.2): no standard code means "credentials ended".
   */
  TOKEN_EXPIRED: 4001,
} as const;

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];
