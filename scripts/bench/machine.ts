/** The machine a bench ran on, for the report: cores (as `nproc` counts them) and the kernel release. */
import { availableParallelism, release as osRelease } from "node:os";

export function nproc(): number {
  return availableParallelism();
}

export function release(): string {
  return osRelease();
}
