// Writes generated seed data as an export folder: the CSV files `stl audit --from` reads.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SeedData } from '../../lib/seed.ts';
import { writeCsvFile } from '../csv-writer.ts';

const columnsOf = (rows: readonly Record<string, string>[]): string[] =>
  rows.length ? Object.keys(rows[0]) : [];

export async function writeSeedExport(
  dir: string,
  data: SeedData
): Promise<Record<string, number>> {
  mkdirSync(dir, { recursive: true });
  const tables: [string, readonly Record<string, string>[]][] = [
    ['User.csv', data.users as unknown as Record<string, string>[]],
    ['Group.csv', data.queues],
    ['BusinessHours.csv', data.businessHours],
    ['Holiday.csv', data.holidays],
    ['Lead.csv', data.leads],
    ['LeadHistory.csv', data.leadHistory],
    ['Task.csv', data.tasks],
    ['Event.csv', data.events]
  ];
  const counts: Record<string, number> = {};
  for (const [name, rows] of tables) {
    counts[name] = await writeCsvFile(join(dir, name), columnsOf(rows), rows);
  }
  return counts;
}
