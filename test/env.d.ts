import type { Env as AirspaceEnv } from "../src/env.js";

declare global {
  namespace Cloudflare {
    // The pool's `env` is the Worker's own bindings.
    interface Env extends AirspaceEnv {}
  }
}
