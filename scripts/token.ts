// npm run token -- --sub drone-1 [--role drone|relay|ops] [--ttl 3600]
// Mints an HS256 token with the local secret (AIRSPACE_JWT_SECRET or .dev.vars), for trying things out.
import { mintToken } from "../src/client/index.js";
import { numberArg, parseArgs } from "./lib/args.js";
import { devSecret } from "./lib/dev-secret.js";

const args = parseArgs(process.argv.slice(2));
const sub = args.get("sub");
const role = String(args.get("role") ?? "drone");
if (typeof sub !== "string" || !["drone", "relay", "ops"].includes(role)) {
  console.error("usage: npm run token -- --sub <id> [--role drone|relay|ops] [--ttl seconds]");
  process.exit(2);
}
console.log(await mintToken(devSecret(), { sub, role: role as "drone" | "relay" }, { ttlS: numberArg(args, "ttl", 3600) }));
