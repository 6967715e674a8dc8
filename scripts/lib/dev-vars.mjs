// The variables of a local run (`npm start`): .dev.vars, created from .dev.vars.example when missing,
// and AIRSPACE_ENV=local unless it says otherwise. Unset AIRSPACE_ENV means deployed (src/config.ts),
// so a .dev.vars copied before the example said `local` would otherwise refuse its own example secret.
// Plain JavaScript, like cli.mjs: `npm start` is the first command on a fresh clone.
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** KEY=VALUE lines of a .dev.vars file (comments and blank lines skipped; optional quotes removed). */
export function parseDevVars(text) {
  const vars = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) vars[m[1]] = m[2].replace(/^(["'])(.*)\1$/, "$2");
  }
  return vars;
}

/**
 * `root`'s .dev.vars (created from the example when missing) with AIRSPACE_ENV defaulting to local;
 * `notes` says what was done, for the console.
 */
export function localRunVars(root) {
  const notes = [];
  const file = join(root, ".dev.vars");
  if (!existsSync(file)) {
    copyFileSync(join(root, ".dev.vars.example"), file);
    notes.push("created .dev.vars from .dev.vars.example (local secret for development only)");
  }
  const vars = parseDevVars(readFileSync(file, "utf8"));
  if (vars.AIRSPACE_ENV === undefined || vars.AIRSPACE_ENV === "") {
    vars.AIRSPACE_ENV = "local";
    notes.push("running with AIRSPACE_ENV=local (.dev.vars does not set it; add the line for a bare `wrangler dev`)");
  }
  return { vars, notes };
}
