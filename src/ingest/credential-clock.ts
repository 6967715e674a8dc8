/**
 * A session's credentials over time (issue 11): the socket lives until its token's `exp`, then closes
 * (4001, TOKEN_EXPIRED) unless the client renewed in-band with a Renew frame carrying a fresh token for
 * the same subject, role, fleet and scope. One renewal is verified at a time; a refused one leaves the
 * old token in force until its own exp. Pure: the shell verifies the token (WebCrypto is async).
 */
import type { SessionPrincipal } from "./session-output.js";

export type RenewalVerdict = { ok: true; expiresAtMs: number } | { ok: false; message: string };

export class CredentialClock {
  private expMs: number;
  private pending = false;

  constructor(private readonly principal: SessionPrincipal) {
    this.expMs = principal.exp === undefined ? Infinity : principal.exp * 1000;
  }

  /** When the socket must close unless renewed, Unix ms (Infinity: never). */
  get deadlineMs(): number {
    return this.expMs;
  }

  expired(nowMs: number): boolean {
    return nowMs >= this.expMs;
  }

  /** A Renew arrived: true when it may be verified now (false while another is being verified). */
  request(): boolean {
    if (this.pending) return false;
    this.pending = true;
    return true;
  }

  /** The verification's outcome: the new token's principal, or why it failed. */
  settle(next: SessionPrincipal | string): RenewalVerdict {
    this.pending = false;
    if (typeof next === "string") return { ok: false, message: `renewal refused: ${next}` };
    const p = this.principal;
    if (next.sub !== p.sub || next.role !== p.role || next.fleet !== p.fleet || scopeOf(next) !== scopeOf(p))
      return { ok: false, message: "renewal refused: the new token must name the same sub, role, fleet, drones and prefix" };
    const exp = next.exp === undefined ? Infinity : next.exp * 1000;
    if (!(exp > this.expMs)) return { ok: false, message: "renewal refused: the new token does not expire later" };
    this.expMs = exp;
    return { ok: true, expiresAtMs: exp };
  }
}

function scopeOf(p: SessionPrincipal): string {
  return JSON.stringify([p.drones ?? null, p.prefix ?? null]);
}
