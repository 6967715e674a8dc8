/**
 * The bindings of the Worker and its objects, as `npm run cf-typegen` generates them from wrangler.toml
 * into src/worker-configuration.d.ts (CI fails when that file is stale), plus whatever other `[vars]`
 * an operator sets: options arrive as strings and are read by config.ts.
 */
export type Env = Cloudflare.Env & { [variable: string]: unknown };
