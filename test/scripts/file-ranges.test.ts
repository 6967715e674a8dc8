import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { fileRanges } from "../../scripts/lib/file-ranges.js";

const dir = mkdtempSync(join(tmpdir(), "airspace-ranges-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function text(s: Readable): Promise<string> {
  let out = "";
  for await (const c of s) out += c;
  return out;
}

const openFds = () => readdirSync("/proc/self/fd").length;

describe("fileRanges", () => {
  it.skipIf(process.platform !== "linux")("reads many ranges side by side through one descriptor", async () => {
    const lines = Array.from({ length: 500 }, (_, i) => `line ${i}\n`);
    const path = join(dir, "f.csv");
    writeFileSync(path, lines.join(""));
    const before = openFds();
    const f = fileRanges(path);
    // Every line its own range, all open at once, read interleaved.
    const starts = lines.map((_, i) => lines.slice(0, i).join("").length);
    const streams = lines.map((l, i) => f.open({ start: starts[i]!, end: starts[i]! + l.length }));
    await new Promise((r) => setTimeout(r, 50));
    expect(openFds() - before).toBeLessThanOrEqual(1);
    expect(await Promise.all(streams.map(text))).toEqual(lines);
    // A stream ended or destroyed (a replay stopped early) leaves the shared descriptor to the others.
    const stopped = f.open({ start: 0, end: starts[400]! });
    for await (const _ of stopped) break;
    expect(stopped.destroyed).toBe(true);
    const again = f.open({ start: starts[3]!, end: starts[5]! });
    expect(await text(again)).toBe(lines[3]! + lines[4]!);
    expect(await text(f.open())).toBe(lines.join(""));
    f.close();
    expect(openFds()).toBeLessThanOrEqual(before);
  });
});
