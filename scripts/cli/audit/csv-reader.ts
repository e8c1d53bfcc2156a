/**
 * Streams an exported CSV file (Data Loader, `sf data export bulk`): BOM, CRLF or LF, quoted
 * newlines, rows with a wrong number of columns. Every problem is reported with file, line and
 * column, and the good rows keep flowing.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { parse } from 'csv-parse';

export interface RowProblem {
  file: string;
  line: number;
  column?: string;
  reason: string;
}

export class CsvFileError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly column?: string
  ) {
    super(message);
    this.name = 'CsvFileError';
  }
}

export interface CsvRow {
  /** values by header name as written in the file */
  values: Record<string, string>;
  /** first physical line of the record (1 = header) */
  line: number;
}

const CR = 0x0d;
const LF = 0x0a;

/**
 * CRLF -> LF so line numbers stay exact through quoted newlines (csv-parse counts CR too).
 * Works on the bytes (CR and LF never occur inside a UTF-8 multi-byte character, so a chunk
 * boundary inside one is harmless) and passes chunks without a CR through untouched.
 */
class NormaliseNewlines extends Transform {
  private pendingCr = false;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (chunk.length === 0 || (!this.pendingCr && chunk.indexOf(CR) === -1)) {
      done(null, chunk);
      return;
    }
    // a CR at the very end waits for the next chunk: it may be the first half of a CRLF
    const out = Buffer.allocUnsafe(chunk.length + 1);
    let n = 0;
    let i = 0;
    if (this.pendingCr) {
      out[n++] = LF;
      if (chunk.length && chunk[0] === LF) i = 1;
      this.pendingCr = false;
    }
    for (; i < chunk.length; i++) {
      const b = chunk[i];
      if (b !== CR) {
        out[n++] = b;
      } else if (i + 1 === chunk.length) {
        this.pendingCr = true;
      } else {
        out[n++] = LF;
        if (chunk[i + 1] === LF) i++;
      }
    }
    done(null, out.subarray(0, n));
  }
  override _flush(done: TransformCallback): void {
    if (this.pendingCr) done(null, Buffer.from('\n'));
    else done();
  }
}

/** Newlines inside the values of a record (quoted newlines). */
function newlinesIn(record: readonly string[]): number {
  let n = 0;
  for (const v of record) {
    for (let at = v.indexOf('\n'); at !== -1; at = v.indexOf('\n', at + 1)) n++;
  }
  return n;
}

/**
 * Reads a CSV file row by row. `required` columns must be in the header (matched ignoring case;
 * the row values are keyed by the canonical spelling given here). Returns false for an empty file.
 */
export async function readCsv(
  path: string,
  required: readonly string[],
  onRow: (row: CsvRow) => void,
  problems: RowProblem[]
): Promise<{ rows: number; header: string[] } | null> {
  const file = basename(path);
  const parser = createReadStream(path)
    .pipe(new NormaliseNewlines())
    .pipe(
      parse({
        bom: true,
        info: true,
        relax_column_count: true,
        skip_empty_lines: true,
        skip_records_with_error: true
      })
    );
  parser.on('skip', (err: Error & { lines?: number }) => {
    problems.push({ file, line: err.lines ?? 0, reason: err.message });
  });
  let header: string[] | null = null;
  let rows = 0;
  for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    const { record, info } = item;
    const line = info.lines - newlinesIn(record);
    if (!header) {
      header = record.map((h) => h.trim());
      const canonical = new Map(required.map((r) => [r.toLowerCase(), r]));
      header = header.map((h) => canonical.get(h.toLowerCase()) ?? h);
      const missing = required.filter((r) => !header?.includes(r));
      if (missing.length) {
        throw new CsvFileError(
          `${file} has no column ${missing.map((m) => `"${m}"`).join(', ')} (header: ${header.join(', ')})`,
          file,
          missing[0]
        );
      }
      continue;
    }
    if (record.length !== header.length) {
      problems.push({
        file,
        line,
        reason: `has ${record.length} values but the header has ${header.length} columns`
      });
      continue;
    }
    const values: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) values[header[i]] = record[i];
    rows++;
    onRow({ values, line });
  }
  return header ? { rows, header } : null;
}
