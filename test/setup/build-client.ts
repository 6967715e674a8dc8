// Global setup of the workers project: the client package's test inside workerd imports the built
// package (dist/client), so build it first when a source changed since the last build.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildClientIfStale } from "../../scripts/lib/client-build.js";

export default function setup(): void {
  buildClientIfStale(join(dirname(fileURLToPath(import.meta.url)), "../.."));
}
