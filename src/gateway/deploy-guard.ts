/**
 * A deployed edge must not run on the example secret of `.dev.vars.example`: anyone who read the
 * repository could mint tokens for it. `AIRSPACE_ENV` names the environment (wrangler.toml: "local"
 * at the top, "staging" and "production" in their `[env.*]`); outside "local" the example secret is
 * refused like a missing one (503 to every client, and a log line saying why).
 */

import { isDeployed } from "../config.js";

/** The secret `.dev.vars.example` ships (a unit test holds the two together). */
export const EXAMPLE_SECRET = "local-dev-secret-change-me";

/** Why this deployment must refuse clients, or null when its secret is fit for its environment. */
export function secretProblem(secret: string | undefined, environment: unknown): string | null {
  if (!secret) return "the server has no AIRSPACE_JWT_SECRET";
  if (isDeployed(environment) && secret === EXAMPLE_SECRET)
    return `AIRSPACE_JWT_SECRET is the example secret of .dev.vars.example in environment ${environment}`;
  return null;
}
