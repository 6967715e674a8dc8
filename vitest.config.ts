import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// Two projects: the pure core in Node (fast), and the Worker + Durable Objects inside workerd.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/{geo,pipeline,client,replay,sim,scripts}/**/*.test.ts", "test/config.test.ts"],
          environment: "node",
        },
      },
      {
        plugins: [
          cloudflareTest({
            main: "./src/index.ts",
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: { AIRSPACE_JWT_SECRET: "test-secret-do-not-use-in-production" },
            },
          }),
        ],
        test: {
          name: "workers",
          testTimeout: 20_000,
          include: ["test/{gateway,region}/**/*.test.ts", "test/index.test.ts"],
        },
      },
    ],
  },
});
