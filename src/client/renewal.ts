/**
 * In-band token renewal: the gateway closes a socket at its token's exp (4001) unless the client sends a
 * fresh token first (a Renew frame). With `token` given as a function, the client asks it for a new
 * token once 80% of the remaining lifetime has passed (at least RENEW_LEAD_MS before exp) and sends it;
 * the server answers Renewed with the new expiry, and the cycle repeats. A static token cannot renew:
 * its socket ends at exp and the reconnect needs a new token anyway.
 */

/** Renew at least this long before exp: room for a slow token service and one round trip. */
export const RENEW_LEAD_MS = 5000;

export class TokenRenewal {
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly fetchToken: (() => string | Promise<string>) | null,
    private readonly send: (token: string) => boolean,
    private readonly now: () => number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** The session now lives until `expiresAtMs` (0: forever): schedule the next renewal. */
  arm(expiresAtMs: number): void {
    this.stop();
    if (!this.fetchToken || !(expiresAtMs > 0)) return;
    const now = this.now();
    const left = expiresAtMs - now;
    const at = Math.min(now + 0.8 * left, expiresAtMs - RENEW_LEAD_MS);
    this.timer = setTimeout(() => void this.renew(), Math.max(0, at - now));
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async renew(): Promise<void> {
    this.timer = null;
    try {
      const token = await this.fetchToken!();
      if (!this.send(token)) this.onError(new Error("token renewal: the socket is not open"));
    } catch (error) {
      this.onError(error);
    }
  }
}
