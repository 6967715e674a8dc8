// The local JWT secret for tools: AIRSPACE_JWT_SECRET from the environment, else from .dev.vars.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export function devSecret(root = REPO_ROOT): string {
  const fromEnv = process.env.AIRSPACE_JWT_SECRET;
  if (fromEnv) return fromEnv;
  const file = join(root, ".dev.vars");
  if (existsSync(file)) {
    for (const line of readFileSync(file, "utf8").split(/\r?\n/)) {
      const m = /^\s*AIRSPACE_JWT_SECRET\s*=\s*"?([^"]*)"?\s*$/.exec(line);
      if (m?.[1]) return m[1];
    }
  }
  throw new Error("no token given and no AIRSPACE_JWT_SECRET in the environment or .dev.vars (run `npm start` once to create it)");
}
