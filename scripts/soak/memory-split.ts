/**
 * workerd's resident memory split by who mapped it, from /proc/PID/smaps: RSS alone cannot tell V8's
 * garbage awaiting a GC from memory the runtime holds natively. Anonymous mappings are summed per 4 GiB
 * address window (workerd names none of them):
 * - `v8Cage`: the largest window V8 reserved whole (≥ 4000 MiB mapped in it): the user isolate's
 *   pointer-compression cage, where its JS heap pages live;
 * - `native`: windows of ~1 GiB, the reservations tcmalloc (workerd's allocator) grows its heap in;
 * - `other`: the rest of the anonymous memory (other cages, the sandbox, thread stacks);
 * - `files`: file-backed pages (the binary, SQLite's shared memory).
 */
import { readFileSync } from "node:fs";

export interface MemorySplit {
  rssMiB: number;
  v8CageMiB: number;
  nativeMiB: number;
  otherMiB: number;
  filesMiB: number;
}

const MAPPING = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \d+\s*(.*)$/;
const WINDOW = 2 ** 32;

export function splitSmaps(smaps: string): MemorySplit {
  const windows = new Map<number, { rssKiB: number; mappedKiB: number }>();
  let filesKiB = 0;
  let anon: { window: number; kiB: number } | null = null;
  let named = false;
  for (const line of smaps.split("\n")) {
    const m = MAPPING.exec(line);
    if (m) {
      const start = Number.parseInt(m[1]!, 16);
      named = m[3] !== "";
      anon = named ? null : { window: Math.floor(start / WINDOW), kiB: (Number.parseInt(m[2]!, 16) - start) / 1024 };
      if (anon) {
        const w = windows.get(anon.window) ?? { rssKiB: 0, mappedKiB: 0 };
        w.mappedKiB += anon.kiB;
        windows.set(anon.window, w);
      }
      continue;
    }
    if (!line.startsWith("Rss:")) continue;
    const kiB = Number(line.split(/\s+/)[1]);
    if (anon) windows.get(anon.window)!.rssKiB += kiB;
    else if (named) filesKiB += kiB;
  }
  let cage = 0;
  let native = 0;
  let anonTotal = 0;
  for (const w of windows.values()) {
    anonTotal += w.rssKiB;
    if (w.mappedKiB >= 4000 * 1024) cage = Math.max(cage, w.rssKiB);
    else if (w.mappedKiB >= 900 * 1024 && w.mappedKiB <= 1100 * 1024) native += w.rssKiB;
  }
  const mib = (k: number) => k / 1024;
  return { rssMiB: mib(anonTotal + filesKiB), v8CageMiB: mib(cage), nativeMiB: mib(native), otherMiB: mib(anonTotal - cage - native), filesMiB: mib(filesKiB) };
}

/** Summed over `pids` (NaN fields when none can be read). */
export function memorySplit(pids: readonly number[]): MemorySplit {
  const sum: MemorySplit = { rssMiB: 0, v8CageMiB: 0, nativeMiB: 0, otherMiB: 0, filesMiB: 0 };
  let read = 0;
  for (const pid of pids) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/smaps`, "utf8");
    } catch {
      continue;
    }
    read++;
    const s = splitSmaps(text);
    for (const k of Object.keys(sum) as (keyof MemorySplit)[]) sum[k] += s[k];
  }
  if (read === 0) for (const k of Object.keys(sum) as (keyof MemorySplit)[]) sum[k] = Number.NaN;
  return sum;
}
