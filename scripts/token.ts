// npm run token -- --sub drone-1 [--fleet local] [--role drone|relay|ops] [--ttl 3600] [--kid k1] [--jti id]
// Mints an HS256 token with the local secret (AIRSPACE_JWT_SECRET or .dev.vars), for trying things out.
// An ops token of --fleet "*" sees every fleet; a relay may add --prefix to limit the drone ids it sends.
import { mintToken } from "../src/client/index.js";
import { numberArg, parseArgs } from "./lib/args.js";
import { devSecret } from "./lib/dev-secret.js";

const args = parseArgs(process.argv.slice(2));
const sub = args.get("sub");
const role = String(args.get("role") ?? "drone");
const fleet = String(args.get("fleet") ?? (role === "ops" ? "*" : "local"));
if (typeof sub !== "string" || !["drone", "relay", "ops"].includes(role)) {
  console.error("usage: npm run token -- --sub <id> [--fleet local] [--role drone|relay|ops] [--ttl seconds] [--kid id] [--jti id] [--prefix p]");
  process.exit(2);
}
const optional = (k: string) => (typeof args.get(k) === "string" ? { [k]: String(args.get(k)) } : {});
const kid = args.get("kid");
console.log(
  await mintToken(
    devSecret(),
    { sub, fleet, role: role as "drone" | "relay" | "ops", ...optional("jti"), ...optional("prefix") },
    { ttlS: numberArg(args, "ttl", 3600), ...(typeof kid === "string" ? { kid } : {}) },
  ),
);
