/**
 * `npm run token -- --sub drone-1 [--fleet local] [--role drone|relay|ops] [--ttl 3600] [--kid k1] [--jti id] [--prefix p]`:
 * mints an HS256 token with the local secret (AIRSPACE_JWT_SECRET, else .dev.vars), for trying things out.
 */
import { pathToFileURL } from "node:url";
import { mintToken } from "../src/client/index.js";
import { type CommandSpec, UsageError, choiceFlag, commandLineOrExit, numberFlag } from "./lib/cli.mjs";
import { devSecret } from "./lib/dev-secret.js";

const OPTIONS = {
  sub: { type: "string" },
  fleet: { type: "string" },
  role: { type: "string" },
  ttl: { type: "string" },
  kid: { type: "string" },
  jti: { type: "string" },
  prefix: { type: "string" },
} as const;

export interface TokenArgs {
  sub: string;
  fleet: string;
  role: "drone" | "relay" | "ops";
  ttlS: number;
  kid?: string;
  jti?: string;
  prefix?: string;
}

export const TOKEN_CLI: CommandSpec<typeof OPTIONS, TokenArgs> = {
  name: "token",
  usage: `usage: npm run token -- --sub <id> [--fleet <fleet>] [--role drone|relay|ops] [--ttl <seconds>] [--kid <id>] [--jti <id>] [--prefix <p>]

Mints an HS256 token signed with AIRSPACE_JWT_SECRET (or the one in .dev.vars) and prints it.
  --sub <id>      the drone id (a drone token) or any label (relay, ops)          required
  --fleet <f>     the fleet the token speaks for ("*": an ops token seeing all)   default local (ops: *)
  --role <role>   drone: sends only its own id; relay: its fleet's drones; ops: read routes  default drone
  --ttl <s>       lifetime in seconds                                                 default 3600
  --kid <id>      key id in the header (a key of AIRSPACE_JWT_KEYS)
  --jti <id>      token id (what AIRSPACE_REVOKED_JTI lists)
  --prefix <p>    a relay may send only drone ids starting with this`,
  options: OPTIONS,
  check(v) {
    if (!v.sub) throw new UsageError("--sub <id> is required");
    const role = choiceFlag(v, "role", ["drone", "relay", "ops"] as const, "drone");
    return {
      sub: v.sub,
      fleet: v.fleet ?? (role === "ops" ? "*" : "local"),
      role,
      ttlS: numberFlag(v, "ttl", 3600, { min: 1 }),
      kid: v.kid,
      jti: v.jti,
      prefix: v.prefix,
    };
  },
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const a = commandLineOrExit(process.argv.slice(2), TOKEN_CLI);
  const optional = { ...(a.jti ? { jti: a.jti } : {}), ...(a.prefix ? { prefix: a.prefix } : {}) };
  console.log(await mintToken(devSecret(), { sub: a.sub, fleet: a.fleet, role: a.role, ...optional }, { ttlS: a.ttlS, ...(a.kid ? { kid: a.kid } : {}) }));
}
