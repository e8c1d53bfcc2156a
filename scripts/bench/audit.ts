// `npm run bench -- audit`: the export audit against csv-parse alone over the same files, and the
// audit's peak memory with the full activity count against a third of it (same leads).
// Every measurement runs in a child process (audit-worker.ts) so its peak RSS is its own.
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ensureSeedExport, ensureThinnedExport, type ExportCounts } from './export.ts';
import type { WorkerResult } from './audit-worker.ts';

export interface AuditBenchOptions {
  leads: number;
  seed: number;
  /** the activity count of the smaller export for the memory comparison (default leads) */
  fewActivities?: number;
}

const WORKER = fileURLToPath(new URL('./audit-worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function measure(mode: 'parse' | 'audit', dir: string): WorkerResult {
  // node's default heap limit: the audit of a million leads must fit in it as `stl audit` runs
  const args = ['--import', 'tsx', WORKER, mode, dir];
  const out = execFileSync(process.execPath, args, {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    stdio: ['ignore', 'pipe', 'inherit']
  });
  return JSON.parse(out.trim().split('\n').pop() as string) as WorkerResult;
}

const n = (v: number): string => Math.round(v).toLocaleString('en-US');
const activitiesOf = (c: ExportCounts): number => c['Task.csv'] + c['Event.csv'];
const row = (label: string, r: WorkerResult): string =>
  `  ${label.padEnd(34)} ${(r.ms / 1000).toFixed(1).padStart(7)} s  ` +
  `(CPU ${(r.userCpuMs / 1000).toFixed(1).padStart(6)} s user)  peak RSS ${n(r.maxRssMb).padStart(6)} MiB`;
const load = (): string =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(', ');

export async function benchAudit(options: AuditBenchOptions): Promise<void> {
  const log = (m: string): void => console.log(m);
  const full = ensureSeedExport(
    { seed: options.seed, leads: options.leads, start: '2026-01-05', weeks: 26 },
    log
  );
  const c = full.counts;
  log(
    `export ${full.dir}${full.reused ? ' (reused)' : ''}: ${n(c['Lead.csv'])} leads, ` +
      `${n(activitiesOf(c))} activities (${n(c['Task.csv'])} tasks, ${n(c['Event.csv'])} events), ` +
      `${n(c['LeadHistory.csv'])} history rows, ${n(c['Opportunity.csv'])} opportunities`
  );
  const few = options.fewActivities ?? options.leads;
  const thin = await ensureThinnedExport(full, few);
  log(`thinned copy ${thin.dir}: ${n(activitiesOf(thin.counts))} activities, same leads`);

  log('audit benchmark (each line a separate node process; audit = auditExport in process):');
  log(`  load average at the start: ${load()}`);
  const baseline = measure('parse', full.dir);
  log(row(`csv-parse alone (${n(baseline.records)} records)`, baseline));
  const audit = measure('audit', full.dir);
  log(row(`audit, ${n(activitiesOf(c))} activities`, audit));
  const auditFew = measure('audit', thin.dir);
  log(row(`audit, ${n(activitiesOf(thin.counts))} activities`, auditFew));
  if (audit.records !== c['Lead.csv'] || auditFew.records !== c['Lead.csv']) {
    throw new Error(
      `the audit reported ${audit.records} and ${auditFew.records} leads, the export has ${c['Lead.csv']}`
    );
  }
  const ratio = audit.ms / baseline.ms;
  log(`  load average at the end:             ${load()}`);
  log(`  time ratio audit / csv-parse:        ${ratio.toFixed(2)}x (target <= 1.5x)`);
  log(
    `  CPU ratio audit / csv-parse:         ${(audit.userCpuMs / baseline.userCpuMs).toFixed(2)}x`
  );
  log(
    `  peak RSS, full / thinned activities: ${(audit.maxRssMb / auditFew.maxRssMb).toFixed(2)}x ` +
      `for ${(activitiesOf(c) / activitiesOf(thin.counts)).toFixed(2)}x the activities`
  );
}
