/** The wrangler config of the bare-transport baseline, written to a temporary directory per run. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function bareWranglerToml(root: string, compatibilityDate: string): string {
  return [
    `name = "airspace-bench-bare"`,
    `main = ${JSON.stringify(join(root, "scripts/bench/bare-worker.ts"))}`,
    `compatibility_date = ${JSON.stringify(compatibilityDate)}`,
    ``,
    `[[durable_objects.bindings]]`,
    `name = "REGION"`,
    `class_name = "BareRegionObject"`,
    ``,
    `[[durable_objects.bindings]]`,
    `name = "DIRECTORY"`,
    `class_name = "RegionDirectory"`,
    ``,
    `[[migrations]]`,
    `tag = "v1"`,
    `new_sqlite_classes = ["BareRegionObject", "RegionDirectory"]`,
    ``,
  ].join("\n");
}

/** Writes the config to a fresh temporary directory; returns its path (the caller removes the dir). */
export function writeBareConfig(root: string, compatibilityDate: string): { path: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "airspace-bench-bare-config-"));
  const path = join(dir, "wrangler.toml");
  writeFileSync(path, bareWranglerToml(root, compatibilityDate));
  return { path, dir };
}
