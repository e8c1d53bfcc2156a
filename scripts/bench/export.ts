// The benchmark's export folders under build/bench/: generated once by the seed generator
// (streamed straight to disk, fixed seed) and reused while their `complete.json` marker says
// they were finished with the same options.
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  writeSync
} from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { streamSeed, type Row, type SeedOptions } from '../lib/seed.ts';
import { csvValue } from '../cli/csv-writer.ts';
import { rulesFileFor } from '../cli/seed/local-writer.ts';
import { loadPackageRules } from '../cli/rules-source.ts';

export const BENCH_DIR = fileURLToPath(new URL('../../build/bench', import.meta.url));

/** Row counts by file name. */
export type ExportCounts = Record<string, number>;

/** Buffers CSV lines and writes them with writeSync in large chunks. */
class CsvFile {
  private readonly fd: number;
  private columns: string[] | null = null;
  private buffer: string[] = [];
  private size = 0;
  rows = 0;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }
  write(row: Row): void {
    if (!this.columns) {
      this.columns = Object.keys(row);
      this.push(this.columns.map(csvValue).join(','));
    } else if (Object.keys(row).length !== this.columns.length) {
      throw new Error(`${this.path}: row ${this.rows + 1} has other columns than the first row`);
    }
    const cols = this.columns;
    let line = csvValue(row[cols[0]]);
    for (let i = 1; i < cols.length; i++) line += ',' + csvValue(row[cols[i]]);
    this.push(line);
    this.rows++;
  }
  writeAll(rows: readonly Row[]): this {
    for (const row of rows) this.write(row);
    return this;
  }
  private push(line: string): void {
    this.buffer.push(line);
    this.size += line.length + 1;
    if (this.size > 1 << 20) this.flush();
  }
  private flush(): void {
    if (this.buffer.length) writeSync(this.fd, this.buffer.join('\n') + '\n');
    this.buffer = [];
    this.size = 0;
  }
  close(): number {
    this.flush();
    closeSync(this.fd);
    return this.rows;
  }
}

function readMarker(dir: string, key: string): ExportCounts | null {
  const marker = join(dir, 'complete.json');
  if (!existsSync(marker)) return null;
  const done = JSON.parse(readFileSync(marker, 'utf8')) as { key: string; counts: ExportCounts };
  return done.key === key ? done.counts : null;
}

function writeMarker(dir: string, key: string, counts: ExportCounts): void {
  writeFileSync(join(dir, 'complete.json'), JSON.stringify({ key, counts }, null, 2) + '\n');
}

/**
 * The export of `options.leads` generated leads: the seed generator's rows (generation order,
 * without its likely-duplicate pass) written as they are made, plus the rules.json `stl seed`
 * writes. Reused when already complete.
 */
export function ensureSeedExport(
  options: SeedOptions,
  log: (m: string) => void
): { dir: string; counts: ExportCounts; reused: boolean } {
  const key = JSON.stringify(options);
  const dir = join(BENCH_DIR, `export-${options.leads}-seed${options.seed}`);
  const cached = readMarker(dir, key);
  if (cached) return { dir, counts: cached, reused: true };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  log(`generating ${options.leads.toLocaleString('en-US')} leads into ${dir} ...`);
  const t0 = performance.now();
  const f = (name: string): CsvFile => new CsvFile(join(dir, name));
  const leads = f('Lead.csv');
  const history = f('LeadHistory.csv');
  const tasks = f('Task.csv');
  const events = f('Event.csv');
  const opportunities = f('Opportunity.csv');
  const data = streamSeed(options, {
    lead: (row) => leads.write(row),
    leadHistory: (row) => history.write(row),
    task: (row) => tasks.write(row),
    event: (row) => events.write(row),
    opportunity: (row) => opportunities.write(row)
  });
  const counts: ExportCounts = {
    'Lead.csv': leads.close(),
    'LeadHistory.csv': history.close(),
    'Task.csv': tasks.close(),
    'Event.csv': events.close(),
    'Opportunity.csv': opportunities.close(),
    'User.csv': f('User.csv')
      .writeAll(data.users as unknown as Row[])
      .close(),
    'Group.csv': f('Group.csv').writeAll(data.queues).close(),
    'BusinessHours.csv': f('BusinessHours.csv').writeAll(data.businessHours).close(),
    'Holiday.csv': f('Holiday.csv').writeAll(data.holidays).close()
  };
  writeFileSync(
    join(dir, 'rules.json'),
    rulesFileFor(loadPackageRules().rules, data.engagementField)
  );
  writeMarker(dir, key, counts);
  log(`generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { dir, counts, reused: false };
}

/** Copies `count` of the `total` data lines of a CSV file, spread evenly through it. */
async function thinCsv(from: string, to: string, total: number, count: number): Promise<number> {
  const fd = openSync(to, 'w');
  let header = true;
  let index = 0;
  let kept = 0;
  let buffer: string[] = [];
  // the generated files hold no quoted newlines, so one line is one record
  for await (const line of createInterface({
    input: createReadStream(from),
    crlfDelay: Infinity
  })) {
    if (header) {
      buffer.push(line);
      header = false;
      continue;
    }
    // keep row i when it reaches the next multiple of total/count
    if (Math.floor(((index + 1) * count) / total) > Math.floor((index * count) / total)) {
      buffer.push(line);
      kept++;
    }
    index++;
    if (buffer.length >= 10_000) {
      writeSync(fd, buffer.join('\n') + '\n');
      buffer = [];
    }
  }
  if (buffer.length) writeSync(fd, buffer.join('\n') + '\n');
  closeSync(fd);
  return kept;
}

/**
 * The same export with only about `activities` Task and Event rows (evenly thinned, the same
 * share of each); the other files are links to the full export's.
 */
export async function ensureThinnedExport(
  full: { dir: string; counts: ExportCounts },
  activities: number
): Promise<{ dir: string; counts: ExportCounts }> {
  const dir = `${full.dir}-activities${activities}`;
  const key = JSON.stringify({ from: full.dir, counts: full.counts, activities });
  const cached = readMarker(dir, key);
  if (cached) return { dir, counts: cached };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const all = full.counts['Task.csv'] + full.counts['Event.csv'];
  if (activities >= all) {
    throw new Error(
      `the full export has ${all} activities, fewer than the ${activities} asked for`
    );
  }
  const counts: ExportCounts = { ...full.counts };
  for (const name of readdirSync(full.dir)) {
    if (name === 'complete.json') continue;
    if (name === 'Task.csv' || name === 'Event.csv') {
      const total = full.counts[name];
      counts[name] = await thinCsv(
        join(full.dir, name),
        join(dir, name),
        total,
        Math.round((total * activities) / all)
      );
    } else {
      symlinkSync(join(full.dir, name), join(dir, name));
    }
  }
  writeMarker(dir, key, counts);
  return { dir, counts };
}
