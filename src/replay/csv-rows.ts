/**
 * Streams a position-report CSV (csv-parse: quoted fields, CRLF, a BOM) row by row, in bounded
 * memory: each record becomes a point with its line number and the byte offset where it ends, or an
 * unreadable row with its line number and why. Reads either a whole file (the first record is the
 * header) or a byte range of one (given the header and the range's first line), which is how the
 * replay reads several recordings of one file side by side.
 */
import { Readable } from "node:stream";
import { parse } from "csv-parse";
import { type Columns, findColumns, rowToPoint, type TrackPoint } from "./track-columns.js";

export type CsvEvent =
  | { kind: "header"; cells: string[]; columns: Columns; endByte: number }
  | { kind: "row"; line: number; endByte: number; timeS: number; point: TrackPoint }
  | { kind: "bad"; line: number; endByte: number; reason: string };

export interface CsvReadOptions {
  /** Header name of the track id column (default: id / icao24). */
  idColumn?: string;
  /** The header, when reading a range that starts after it. */
  header?: string[];
  /** Line number of the first line of the source (1 for a whole file). */
  firstLine?: number;
  /** Byte offset of the source in the file (0 for a whole file). */
  firstByte?: number;
  /** Parsed records held before the source is paused. Default: 1024 */
  highWater?: number;
}

/** Longest record read, bytes: an unclosed quote must not swallow a multi-gigabyte file into memory. */
export const MAX_RECORD_BYTES = 64 * 1024;
/** Parsed records held before the parser (and with it the file) is paused, by default. */
const HIGH_WATER = 1024;

interface Parsed {
  record: string[];
  info: { lines: number; bytes_records: number };
}

export async function* readCsvRows(source: Readable | AsyncIterable<Uint8Array | string>, o: CsvReadOptions = {}): AsyncGenerator<CsvEvent> {
  const lineBase = (o.firstLine ?? 1) - 1;
  const byteBase = o.firstByte ?? 0;
  const highWater = Math.max(1, o.highWater ?? HIGH_WATER);
  const parser = parse({
    info: true,
    bom: true,
    trim: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_BYTES,
  });
  // Records and the ones csv-parse itself cannot read (an unclosed quote, an oversized record) in the
  // order it met them, paused past a high-water mark so memory stays bounded whatever the file size.
  type Item = { rec: Parsed } | { skip: Error & { lines?: number; bytes?: number } };
  const queue: Item[] = [];
  let done = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  const push = (item: Item) => {
    queue.push(item);
    if (queue.length >= highWater) parser.pause();
    notify();
  };
  parser.on("data", (rec: Parsed) => push({ rec }));
  parser.on("skip", (skip: Error) => push({ skip }));
  parser.on("end", () => {
    done = true;
    notify();
  });
  parser.on("error", (err: Error) => {
    failure = err;
    notify();
  });
  const input = source instanceof Readable ? source : Readable.from(source);
  input.on("error", (err) => parser.destroy(err));
  input.pipe(parser);
  let columns: Columns | null = o.header ? findColumns(o.header, o.idColumn) : null;
  try {
    for (;;) {
      const item = queue.shift();
      if (item === undefined) {
        if (failure) throw failure;
        if (done) return;
        parser.resume();
        await new Promise<void>((r) => {
          wake = r;
        });
        continue;
      }
      if ("skip" in item) {
        const e = item.skip;
        yield { kind: "bad", line: lineBase + (e.lines ?? 0), endByte: byteBase + (e.bytes ?? 0), reason: e.message };
        continue;
      }
      const rec = item.rec;
      const line = lineBase + rec.info.lines;
      const endByte = byteBase + rec.info.bytes_records;
      if (columns === null) {
        columns = findColumns(rec.record, o.idColumn);
        yield { kind: "header", cells: rec.record, columns, endByte };
        continue;
      }
      const v = rowToPoint(rec.record, columns);
      yield v.ok ? { kind: "row", line, endByte, timeS: v.timeS, point: v.point } : { kind: "bad", line, endByte, reason: v.reason };
    }
  } finally {
    // A consumer that stops early (Ctrl-C) must not leave the file open.
    input.unpipe(parser);
    input.destroy();
    parser.destroy();
  }
}
