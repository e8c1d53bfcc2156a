// Writes CSV the way Data Loader does: a header row, every value quoted when it needs to be, LF.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export function csvValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvText(
  columns: readonly string[],
  rows: Iterable<Record<string, unknown>>
): string {
  const out = [columns.map(csvValue).join(',')];
  for (const row of rows) out.push(columns.map((c) => csvValue(row[c])).join(','));
  return out.join('\n') + '\n';
}

/** Streams rows to a file without building the whole text in memory. */
export async function writeCsvFile(
  path: string,
  columns: readonly string[],
  rows: Iterable<Record<string, unknown>>
): Promise<number> {
  const stream = createWriteStream(path, { encoding: 'utf8' });
  let count = 0;
  const write = async (line: string): Promise<void> => {
    if (!stream.write(line)) await once(stream, 'drain');
  };
  await write(columns.map(csvValue).join(',') + '\n');
  for (const row of rows) {
    await write(columns.map((c) => csvValue(row[c])).join(',') + '\n');
    count++;
  }
  stream.end();
  await once(stream, 'finish');
  return count;
}
