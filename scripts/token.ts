/**
 * `npm run token -- --sub drone-1 [--role drone|relay|ops] [--ttl 3600]`: mints an HS256 token with the
 * local secret (AIRSPACE_JWT_SECRET, else .dev.vars), for trying things out.
 */
import { pathToFileURL } from "node:url";
import { mintToken } from "../src/client/index.js";
import { type CommandSpec, UsageError, choiceFlag, commandLineOrExit, numberFlag } from "./lib/cli.mjs";
import { devSecret } from "./lib/dev-secret.js";

const OPTIONS = { sub: { type: "string" }, role: { type: "string" }, ttl: { type: "string" } } as const;

export interface TokenArgs {
  sub: string;
  role: "drone" | "relay" | "ops";
  ttlS: number;
}

export const TOKEN_CLI: CommandSpec<typeof OPTIONS, TokenArgs> = {
  name: "token",
  usage: `usage: npm run token -- --sub <id> [--role drone|relay|ops] [--ttl <seconds>]

Mints an HS256 token signed with AIRSPACE_JWT_SECRET (or the one in .dev.vars) and prints it.
  --sub <id>      the drone id (a drone token) or any label (relay, ops)          required
  --role <role>   drone: sends only its own id; relay: any drone; ops: read routes  default drone
  --ttl <s>       lifetime in seconds                                                 default 3600`,
  options: OPTIONS,
  check(v) {
    if (!v.sub) throw new UsageError("--sub <id> is required");
    return { sub: v.sub, role: choiceFlag(v, "role", ["drone", "relay", "ops"] as const, "drone"), ttlS: numberFlag(v, "ttl", 3600, { min: 1 }) };
  },
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const a = commandLineOrExit(process.argv.slice(2), TOKEN_CLI);
  // "ops" is a role the gateway knows; the client's claim type names only the two it sends with.
  console.log(await mintToken(devSecret(), { sub: a.sub, role: a.role as "drone" | "relay" }, { ttlS: a.ttlS }));
}
