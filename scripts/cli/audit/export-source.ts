// Audits an export folder of CSV files as Data Loader or `sf data export bulk` write them:
// Lead.csv (required), LeadHistory, Task, Event, User, Group, BusinessHours, Holiday, Opportunity
// (optional).
// File names match ignoring case.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ConversionOptions } from '../../lib/conversion.ts';
import type { RuleSet } from '../../lib/sla.ts';
import { CsvFileError, readCsv, readCsvRecords } from './csv-reader.ts';
import { OBJECTS, runAudit, type AuditRunResult, type TableSource } from './run-audit.ts';

export interface ExportAuditOptions {
  dir: string;
  rules: RuleSet;
  asOf?: number;
  slowestCount?: number;
  onProgress?: (message: string) => void;
  keepLeads?: boolean;
  /** go-live and outage windows for the conversion impact */
  conversion?: ConversionOptions;
}

export function csvTable(path: string): TableSource {
  return {
    label: basename(path),
    read: (required, onRow, problems) => readCsv(path, required, onRow, problems),
    readRecords: (required, onHeader, problems) =>
      readCsvRecords(path, required, onHeader, problems)
  };
}

export async function auditExport(options: ExportAuditOptions): Promise<AuditRunResult> {
  const { dir } = options;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new CsvFileError(`export folder ${dir} does not exist`, dir);
  }
  const names = readdirSync(dir);
  const tables: Partial<Record<(typeof OBJECTS)[number], TableSource>> = {};
  for (const object of OBJECTS) {
    const hit = names.find((f) => f.toLowerCase() === `${object.toLowerCase()}.csv`);
    if (hit) tables[object] = csvTable(join(dir, hit));
  }
  return runAudit({ ...options, tables, source: dir });
}
