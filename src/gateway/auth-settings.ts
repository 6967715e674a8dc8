/**
 * The credentials' settings, strings unlike the numeric options of src/config.ts: which keys sign
 * tokens, the audience they must name, the revoked token ids, and the environment (where weak secrets
 * are refused). Read by the gateway's credentials (credentials.ts); docs/security.md.
 */
/** Every credentials setting, read from the Worker's bindings. */
export interface AuthSettings {
  /** AIRSPACE_ENV: "local", or a deployed environment where weak secrets are refused. */
  environment: string;
  /** AIRSPACE_JWT_AUDIENCE: the `aud` every token must name. Default: "airspace" */
  audience: string;
  /** AIRSPACE_JWT_SECRET: the HS256 secret of tokens without a `kid`. */
  secret: string;
  /** AIRSPACE_JWT_KEYS: a JWKS (JSON) of keys with a `kid`: HS256 secrets, ES256 or EdDSA public keys. */
  keys: string;
  /** AIRSPACE_REVOKED_JTI: token ids refused at connect and renewal (comma or space separated). */
  revokedJti: ReadonlySet<string>;
}

export function loadAuthSettings(env: Record<string, unknown>): AuthSettings {
  const str = (k: string) => (typeof env[k] === "string" ? (env[k] as string) : "");
  const audience = str("AIRSPACE_JWT_AUDIENCE").trim() || "airspace";
  return {
    environment: str("AIRSPACE_ENV"),
    audience,
    secret: str("AIRSPACE_JWT_SECRET"),
    keys: str("AIRSPACE_JWT_KEYS").trim(),
    revokedJti: new Set(
      str("AIRSPACE_REVOKED_JTI")
        .split(/[\s,]+/)
        .filter((x) => x.length > 0),
    ),
  };
}
