// What each deploy of wrangler.toml ships, read the way wrangler reads it: a bare `wrangler deploy`
// (no --env) must not call itself local, or it takes the example secret, short ones and CHAOS=1 (issue 11).
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";
import { isDeployed, loadOptions } from "../src/config.js";
import { loadAuthSettings } from "../src/gateway/auth-settings.js";
import { EXAMPLE_SECRET, settingsProblem } from "../src/gateway/deploy-guard.js";

const CONFIG = fileURLToPath(new URL("../wrangler.toml", import.meta.url));
const configOf = (env?: string) => unstable_readConfig({ config: CONFIG, env }, { hideWarnings: true });
const varsOf = (env?: string) => configOf(env).vars as Record<string, unknown>;

describe("wrangler.toml", () => {
  it("ships no environment that calls itself local, with or without --env", () => {
    const bare = varsOf();
    expect(bare.AIRSPACE_ENV).not.toBe("local");
    expect(isDeployed(bare.AIRSPACE_ENV)).toBe(true);
    expect(varsOf("staging").AIRSPACE_ENV).toBe("staging");
    expect(varsOf("production").AIRSPACE_ENV).toBe("production");
  });

  it("negotiates no permessage-deflate in any deploy", () => {
    for (const name of [undefined, "staging", "production"]) {
      expect(configOf(name).compatibility_flags, String(name)).toContain("no_web_socket_compression");
    }
  });

  it("makes each deploy refuse the example secret, a short one and CHAOS=1", () => {
    for (const name of [undefined, "staging", "production"]) {
      const vars = varsOf(name);
      expect(settingsProblem(loadAuthSettings({ ...vars, AIRSPACE_JWT_SECRET: EXAMPLE_SECRET })), String(name)).toMatch(/example secret/);
      expect(settingsProblem(loadAuthSettings({ ...vars, AIRSPACE_JWT_SECRET: "short" })), String(name)).toMatch(/shorter than 32 bytes/);
      expect(settingsProblem(loadAuthSettings({ ...vars, AIRSPACE_JWT_SECRET: "x".repeat(32) })), String(name)).toBeNull();
      expect(() => loadOptions({ ...vars, CHAOS: "1" }), String(name)).toThrow(/CHAOS=1/);
    }
  });
});
