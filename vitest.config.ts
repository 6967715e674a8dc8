import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { buildPage } from "./scripts/lib/page-build.js";

// The Worker serves the operators' page from build/page (wrangler.toml [assets]): build it before any
// project reads the config, so `npx vitest run …` works from a clean checkout too (~100 ms).
buildPage(import.meta.dirname);

// Three projects: the pure core in Node (fast), the Worker + Durable Objects inside workerd, and
// end-to-end runs against a local edge of their own (heavy: `npm test` runs them alone, afterwards).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: [
            "test/{wire,ingest,link,detect,geo,client,replay,sim,fuzz,scripts,page,export,tracing}/**/*.test.ts",
            "test/*.test.ts",
            "test/region/metrics-mapping.test.ts",
            "test/region/event-export.test.ts",
            "test/region/ops-stream-cost.test.ts",
            "test/region/output-router.test.ts",
          ],
          // The client package run inside workerd belongs to the workers project.
          exclude: ["test/**/*.workers.test.ts"],
          environment: "node",
          // Property tests run thousands of cases (a brute-force halo check takes ~2 s alone): room for a busy machine.
          testTimeout: 30_000,
          setupFiles: ["test/setup/fast-check.ts"],
        },
      },
      {
        plugins: [
          cloudflareTest({
            main: "./src/index.ts",
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              // Acks between ticks after 4 batches instead of 32, so tests reach the journal path quickly.
              // FC_SEED reaches the seeded tests inside workerd this way (CI replays one fixed sample).
              // A second, kid-named key and a revoked token id for the auth matrix (test/gateway/security.test.ts).
              bindings: {
                // A local run: wrangler.toml leaves it unset, which means deployed (src/config.ts).
                AIRSPACE_ENV: "local",
                AIRSPACE_JWT_SECRET: "test-secret-do-not-use-in-production",
                AIRSPACE_JWT_KEYS: JSON.stringify({
                  keys: [{ kty: "oct", kid: "k-2026", k: Buffer.from("kid-2026-secret-of-at-least-32-bytes").toString("base64url") }],
                }),
                AIRSPACE_REVOKED_JTI: "revoked-1, revoked-2",
                ACK_EVERY_BATCHES: "4",
                // Fleet quotas (test/gateway/fleet-quota.test.ts): small quotas for the test's own fleets,
                // and leases that lapse in 2 s (renewed every ~0.7 s) so a dead session's quota frees quickly.
                FLEET_QUOTAS: JSON.stringify({ qd: { drones: 3 }, qr: { regions: 2 }, qx: { drones: 2 } }),
                FLEET_LEASE_MS: "2000",
                ...(process.env.FC_SEED ? { FC_SEED: process.env.FC_SEED } : {}),
              },
            },
          }),
        ],
        test: {
          name: "workers",
          testTimeout: 20_000,
          include: ["test/{gateway,region,hub}/**/*.test.ts", "test/client/**/*.workers.test.ts"],
          // That test imports the built client package (dist/client) by its name: build it when stale.
          globalSetup: ["test/setup/build-client.ts"],
          // Tested in Node beside the shells they serve: a pure mapping, the export shell over a fake queue,
          // the ops stream's ticks over a fake state, and the output router over a fake outbox.
          exclude: [
            "test/region/metrics-mapping.test.ts",
            "test/region/event-export.test.ts",
            "test/region/ops-stream-cost.test.ts",
            "test/region/output-router.test.ts",
          ],
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 120_000,
          // Each file starts an edge of its own and some judge timing (the chaos run's alert gaps):
          // one at a time, so none runs beside another's load.
          fileParallelism: false,
        },
      },
    ],
  },
});
