/**
 * Many rows into one table per statement: the checkpoint writes every changed drone and link each
 * second (a region fed by 500 single-drone links: ~1,000 rows). Rows go in chunks under Durable Object
 * SQLite's limit of 100 bound parameters per statement (docs/platform.md), ~92 statements where one per
 * row took ~1,000, and as an upsert that updates the row in place where INSERT OR REPLACE deletes it and
 * inserts it again: a stored row rewritten counts one row written, not two (its key index untouched),
 * and rows written are what SQLite-backed Durable Objects bill. The CPU it saves was within this
 * machine's noise (docs/scaling.md).
 */

/** Durable Object SQLite's limit on bound parameters per statement. */
export const MAX_BOUND_PARAMETERS = 100;

/** What the upsert needs of SqlStorage. */
export interface SqlExec {
  exec(query: string, ...bindings: unknown[]): { readonly rowsWritten: number };
}

export class BulkUpsert {
  readonly rowsPerStatement: number;
  /** Statement text per row count (1..rowsPerStatement), built once. */
  private readonly statements: string[];
  private readonly params: unknown[];

  constructor(
    private readonly sql: SqlExec,
    table: string,
    private readonly columns: readonly string[],
    key: string,
  ) {
    if (!columns.includes(key)) throw new Error(`${table}: key ${key} is not among its columns`);
    this.rowsPerStatement = Math.floor(MAX_BOUND_PARAMETERS / columns.length);
    if (this.rowsPerStatement < 1) throw new Error(`${table}: ${columns.length} columns exceed ${MAX_BOUND_PARAMETERS} parameters`);
    this.statements = upsertStatements(table, columns, key, this.rowsPerStatement);
    this.params = new Array(this.rowsPerStatement * columns.length);
  }

  /** Writes `rows` (each as `columns` orders them) in as few statements as the limit allows; returns SQLite's rows written. */
  write<T>(rows: Iterable<T>, values: (row: T, out: unknown[], at: number) => void): number {
    const width = this.columns.length;
    let n = 0;
    let written = 0;
    for (const r of rows) {
      values(r, this.params, n * width);
      if (++n === this.rowsPerStatement) {
        written += this.sql.exec(this.statements[n - 1]!, ...this.params).rowsWritten;
        n = 0;
      }
    }
    if (n > 0) written += this.sql.exec(this.statements[n - 1]!, ...this.params.slice(0, n * width)).rowsWritten;
    return written;
  }
}

/** `INSERT ... VALUES (?, ...), ... ON CONFLICT (key) DO UPDATE SET` every other column, for 1..maxRows rows. */
export function upsertStatements(table: string, columns: readonly string[], key: string, maxRows: number): string[] {
  const row = `(${columns.map(() => "?").join(", ")})`;
  const set = columns
    .filter((c) => c !== key)
    .map((c) => `${c} = excluded.${c}`)
    .join(", ");
  const out: string[] = [];
  for (let n = 1; n <= maxRows; n++)
    out.push(
      `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${Array.from({ length: n }, () => row).join(", ")} ON CONFLICT (${key}) DO UPDATE SET ${set}`,
    );
  return out;
}
