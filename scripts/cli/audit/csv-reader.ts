/**
 * Streams an exported CSV file (Data Loader, `sf data export bulk`): BOM, CRLF or LF, quoted
 * newlines, rows with a wrong number of columns. Every problem is reported with file, line and
 * column, and the good rows keep flowing.
 *
 * Speed (docs/BENCHMARKS.md): csv-parse runs in its plain mode (arrays, no per-record `info`
 * snapshot) and hands every record straight to the caller as it is parsed, so the record's line
 * is read off the parser's own line counter at that moment and no stream buffers sit between the
 * parser and the audit.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { Parser } from 'csv-parse';

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

/** Receives one record (values in header order) and its first physical line. */
export type RecordHandler = (record: readonly string[], line: number) => void;

const CR = 0x0d;
const LF = 0x0a;

/**
 * CRLF -> LF so line numbers stay exact through quoted newlines (csv-parse counts CR too).
 * Works on the bytes (CR and LF never occur inside a UTF-8 multi-byte character, so a chunk
 * boundary inside one is harmless) and passes chunks without a CR through untouched.
 */
export class NewlineNormaliser {
  private pendingCr = false;
  chunk(chunk: Buffer): Buffer {
    if (chunk.length === 0 || (!this.pendingCr && chunk.indexOf(CR) === -1)) return chunk;
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
    return out.subarray(0, n);
  }
  /** What is left at the end of the file (a final lone CR). */
  end(): Buffer | null {
    return this.pendingCr ? Buffer.from('\n') : null;
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
 * csv-parse's stream parser with its records going straight to a callback: `push` is where the
 * parser hands over each record, so `info.lines` there is the record's last line.
 */
class RecordParser extends Parser {
  private lastLine = 1;
  constructor(private readonly onRecord: RecordHandler) {
    super({
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true
    });
  }
  override push(record: unknown): boolean {
    if (record === null) return false;
    const values = record as string[];
    const last = this.info.lines;
    // a record ending one line after the previous one is that single line; otherwise it holds
    // quoted newlines, or empty or bad lines came between (then count its own newlines)
    const line = last - this.lastLine === 1 ? last : last - newlinesIn(values);
    this.lastLine = last;
    this.onRecord(values, line);
    return true;
  }
  /** Parses one chunk (or the end, for `null`); throws what csv-parse could not skip. */
  feed(chunk: Buffer | null): void {
    let failure: Error | null | undefined;
    const done = (err?: Error | null): void => {
      failure = err;
    };
    if (chunk) this._transform(chunk, 'binary', done);
    else this._flush(done);
    if (failure) throw failure;
  }
}

/**
 * Reads a CSV file record by record, as arrays. `required` columns must be in the header
 * (matched ignoring case; the header returned and passed to `onHeader` spells them as given
 * here). `onHeader` sees the header once and returns the handler of the data records, which
 * have exactly as many values as the header (other records are problems). Returns null for an
 * empty file.
 */
export async function readCsvRecords(
  path: string,
  required: readonly string[],
  onHeader: (header: readonly string[]) => RecordHandler,
  problems: RowProblem[]
): Promise<{ rows: number; header: string[] } | null> {
  const file = basename(path);
  let header: string[] | null = null;
  let onRow: RecordHandler | null = null;
  let rows = 0;
  const parser = new RecordParser((record, line) => {
    if (!header || !onRow) {
      header = readHeader(file, record, required);
      onRow = onHeader(header);
      return;
    }
    if (record.length !== header.length) {
      problems.push({
        file,
        line,
        reason: `has ${record.length} values but the header has ${header.length} columns`
      });
      return;
    }
    rows++;
    onRow(record, line);
  });
  parser.on('skip', (err: Error & { lines?: number }) => {
    problems.push({ file, line: err.lines ?? 0, reason: err.message });
  });
  const newlines = new NewlineNormaliser();
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      parser.feed(newlines.chunk(chunk as Buffer));
    }
    const rest = newlines.end();
    if (rest) parser.feed(rest);
    parser.feed(null);
  } catch (e) {
    if (e instanceof CsvFileError) throw e;
    throw new CsvFileError(`${file}: ${(e as Error).message}`, file);
  }
  return header ? { rows, header } : null;
}

function readHeader(
  file: string,
  record: readonly string[],
  required: readonly string[]
): string[] {
  const canonical = new Map(required.map((r) => [r.toLowerCase(), r]));
  const header = record.map((h) => {
    const name = h.trim();
    return canonical.get(name.toLowerCase()) ?? name;
  });
  const missing = required.filter((r) => !header.includes(r));
  if (missing.length) {
    throw new CsvFileError(
      `${file} has no column ${missing.map((m) => `"${m}"`).join(', ')} (header: ${header.join(', ')})`,
      file,
      missing[0]
    );
  }
  return header;
}

/**
 * Reads a CSV file row by row, each row's values keyed by header name. `required` columns must
 * be in the header (matched ignoring case; the row values are keyed by the canonical spelling
 * given here). Returns null for an empty file.
 */
export function readCsv(
  path: string,
  required: readonly string[],
  onRow: (row: CsvRow) => void,
  problems: RowProblem[]
): Promise<{ rows: number; header: string[] } | null> {
  return readCsvRecords(
    path,
    required,
    (header) => (record, line) => {
      const values: Record<string, string> = {};
      for (let i = 0; i < header.length; i++) values[header[i]] = record[i];
      onRow({ values, line });
    },
    problems
  );
}
