// One measurement of the audit benchmark, run in its own process so that its peak memory
// (process.resourceUsage().maxRSS) is its own. Prints one JSON line on stdout.
//   audit-worker.ts parse <dir>   csv-parse alone over the CSV files the audit reads
//   audit-worker.ts audit <dir>   the `stl audit --from <dir>` audit (auditExport, in this process)
import { createReadStream, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse';
import { auditExport } from '../cli/audit/export-source.ts';
import { OBJECTS } from '../cli/audit/run-audit.ts';
import { loadRules } from '../cli/rules-source.ts';

export interface WorkerResult {
  mode: 'parse' | 'audit';
  ms: number;
  /** peak resident set size of the process, MiB */
  maxRssMb: number;
  /** CPU time of the whole process (user, every thread: the garbage collector's too), ms */
  userCpuMs: number;
  /** parse: CSV records read (headers included); audit: leads in the report */
  records: number;
}

async function parseOnly(dir: string): Promise<number> {
  const wanted = new Set(OBJECTS.map((o) => `${o.toLowerCase()}.csv`));
  let records = 0;
  for (const name of readdirSync(dir).filter((f) => wanted.has(f.toLowerCase()))) {
    const parser = createReadStream(join(dir, name)).pipe(parse({ bom: true }));
    for await (const record of parser as AsyncIterable<string[]>) {
      if (record.length) records++;
    }
  }
  return records;
}

async function audit(dir: string): Promise<number> {
  const { rules } = loadRules(undefined, dir);
  const result = await auditExport({ dir, rules });
  return result.report.leads;
}

async function main(): Promise<void> {
  const [mode, dir] = process.argv.slice(2);
  if ((mode !== 'parse' && mode !== 'audit') || !dir) {
    throw new Error('usage: audit-worker.ts parse|audit <export dir>');
  }
  const t0 = performance.now();
  const records = mode === 'parse' ? await parseOnly(dir) : await audit(dir);
  const ms = performance.now() - t0;
  const result: WorkerResult = {
    mode,
    ms,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    userCpuMs: process.cpuUsage().user / 1000,
    records
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
