// The replay's CSV, read whole (its first pass) or by byte ranges (one per recording, side by side),
// every range through one shared descriptor and small buffers: a file of thousands of recordings (an
// export sorted by aircraft) would otherwise hold a descriptor each, past a process's usual limit of
// 1,024, and 64 KiB of buffer each. (fs.createReadStream on a shared fd will not do: destroying one
// range's stream, as a replay stopped early does, closes the descriptor under the others.)
import { closeSync, createReadStream, openSync, read } from "node:fs";
import { Readable } from "node:stream";
import { promisify } from "node:util";

/** Read-ahead of one range, bytes. */
export const RANGE_CHUNK_BYTES = 16 * 1024;

const readAt = promisify(read);

export interface FileRanges {
  /** The whole file, or its bytes [start, end). */
  open(range?: { start: number; end: number }): Readable;
  /** Closes the shared descriptor (call once no range is read any more). */
  close(): void;
}

export function fileRanges(path: string): FileRanges {
  const fd = openSync(path, "r");
  async function* chunks(start: number, end: number): AsyncGenerator<Buffer> {
    // Positional reads (pread): ranges share the descriptor without sharing a file position.
    for (let pos = start; pos < end; ) {
      const want = Math.min(RANGE_CHUNK_BYTES, end - pos);
      const { bytesRead, buffer } = await readAt(fd, Buffer.allocUnsafe(want), 0, want, pos);
      if (bytesRead === 0) return;
      pos += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  }
  return {
    open: (range) => (range ? Readable.from(chunks(range.start, range.end), { objectMode: false, highWaterMark: RANGE_CHUNK_BYTES }) : createReadStream(path)),
    close: () => closeSync(fd),
  };
}
