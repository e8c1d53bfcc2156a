// Writes the audit's file outputs: JSON, per-lead and per-group CSV, Markdown, HTML.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AuditReport, GroupStats, LeadResult } from '../../lib/audit.ts';
import { writeCsvFile } from '../csv-writer.ts';
import { renderHtml, type HtmlContext } from './render-html.ts';
import { renderMarkdown } from './render-md.ts';

/** One row per engagement cycle (a lead that came back has one row per cycle). */
export const LEAD_COLUMNS: (keyof LeadResult)[] = [
  'id',
  'cycleNumber',
  'cycleCount',
  'isCurrentCycle',
  'closedReason',
  'likelyDuplicateOf',
  'converted',
  'convertedOpportunityId',
  'name',
  'company',
  'source',
  'status',
  'createdAt',
  'engagementAt',
  'engagementSource',
  'assignedAt',
  'accountableRepId',
  'accountableRep',
  'firstTouchAt',
  'firstTouchType',
  'firstTouchBy',
  'systemsDelayMinutes',
  'humanDelayMinutes',
  'humanDelayBusinessMinutes',
  'speedToLeadMinutes',
  'leadType',
  'slaRule',
  'slaThresholdMinutes',
  'slaDueAt',
  'slaStatus',
  'slaMissedByMinutes',
  'slaExcludedReason',
  'queueWaitMinutes',
  'reassignments',
  'afterHours',
  'week',
  'currentOwner',
  'currentOwnerType'
];

const GROUP_COLUMNS = [
  'key',
  'leads',
  'cycles',
  'speedToLeadMedian',
  'speedToLeadMean',
  'speedToLeadP90',
  'speedToLeadP95',
  'systemsDelayMedian',
  'humanDelayMedian',
  'humanDelayBusinessMedian',
  'hit',
  'missed',
  'pending',
  'excluded',
  'notApplicable',
  'superseded',
  'duplicates',
  'hitRate'
];

function groupRows(groups: GroupStats[]): Record<string, unknown>[] {
  return groups.map((g) => ({
    key: g.key,
    leads: g.leads,
    cycles: g.cycles,
    speedToLeadMedian: g.speedToLead.median,
    speedToLeadMean: g.speedToLead.mean,
    speedToLeadP90: g.speedToLead.p90,
    speedToLeadP95: g.speedToLead.p95,
    systemsDelayMedian: g.systemsDelay.median,
    humanDelayMedian: g.humanDelay.median,
    humanDelayBusinessMedian: g.humanDelayBusiness.median,
    ...g.sla
  }));
}

const ensureDir = (file: string): void => {
  mkdirSync(dirname(file), { recursive: true });
};

export async function writeCsvDir(
  dir: string,
  report: AuditReport,
  leads: LeadResult[]
): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const put = async (
    name: string,
    columns: readonly string[],
    rows: Record<string, unknown>[]
  ): Promise<void> => {
    const path = join(dir, name);
    await writeCsvFile(path, columns, rows);
    written.push(path);
  };
  await put('leads.csv', LEAD_COLUMNS, leads as unknown as Record<string, unknown>[]);
  await put('by-lead-type.csv', GROUP_COLUMNS, groupRows(report.byLeadType));
  await put('by-owner.csv', GROUP_COLUMNS, groupRows(report.byOwner));
  await put('by-source.csv', GROUP_COLUMNS, groupRows(report.bySource));
  await put('by-week.csv', GROUP_COLUMNS, groupRows(report.byWeek));
  return written;
}

export async function writeLeadsCsv(file: string, leads: LeadResult[]): Promise<void> {
  ensureDir(file);
  await writeCsvFile(file, LEAD_COLUMNS, leads as unknown as Record<string, unknown>[]);
}

export function writeJson(file: string, value: unknown): void {
  ensureDir(file);
  writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
}

export function writeHtml(file: string, report: AuditReport, ctx: HtmlContext): void {
  ensureDir(file);
  writeFileSync(file, renderHtml(report, ctx));
}

export function writeMarkdown(file: string, report: AuditReport, source: string): void {
  ensureDir(file);
  writeFileSync(file, renderMarkdown(report, source));
}
