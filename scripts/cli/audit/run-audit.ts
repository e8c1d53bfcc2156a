/**
 * Runs an audit over tables of records: Lead (required), LeadHistory, Task, Event, User, Group
 * (queue names), BusinessHours, Holiday (optional, each degrading with a warning). The tables
 * come from an export folder's CSV files (export-source.ts) or from an org (org-source.ts); the
 * messages name the file (or object), line (or record number) and column of every problem.
 */
import {
  AuditBuilder,
  parseInstant,
  STAMP_FIELDS,
  type AuditBusinessHours,
  type AuditQueue,
  type AuditReport,
  type AuditUser,
  type FieldChange,
  type LeadResult,
  type StampField
} from '../../lib/audit.ts';
import {
  BusinessCalendar,
  DAY_NAMES,
  holidayFromRecord,
  weeklyHoursFromRecord,
  type HolidaySpec
} from '../../lib/business-time.ts';
import {
  computeConversionImpact,
  opportunitiesFromRows,
  type ConversionImpact,
  type ConversionLead,
  type ConversionOptions
} from '../../lib/conversion.ts';
import { NAMESPACE } from '../../lib/rules.ts';
import type { RuleSet } from '../../lib/sla.ts';
import { CsvFileError, type CsvRow, type RowProblem } from './csv-reader.ts';

export const OBJECTS = [
  'Lead',
  'LeadHistory',
  'Task',
  'Event',
  'User',
  'Group',
  'BusinessHours',
  'Holiday',
  'Opportunity'
] as const;
export type AuditObject = (typeof OBJECTS)[number];

/** One table of records, read row by row; null when the table is empty (no header). */
export interface TableSource {
  /** how messages name it: `Lead.csv`, or `Lead` for an org */
  label: string;
  read(
    required: readonly string[],
    onRow: (row: CsvRow) => void,
    problems: RowProblem[]
  ): Promise<{ rows: number; header: string[] } | null>;
}

export interface RunAuditOptions {
  tables: Partial<Record<AuditObject, TableSource>>;
  /** names the source in messages (`test/fixtures/sample-export`, an org username) */
  source: string;
  rules: RuleSet;
  /** evaluation time; default: the latest timestamp in the data */
  asOf?: number;
  slowestCount?: number;
  onProgress?: (message: string) => void;
  /** keep every per-lead result (for CSV output) */
  keepLeads?: boolean;
  /** go-live and outage windows for the conversion impact (scripts/lib/conversion.ts) */
  conversion?: ConversionOptions;
}

export interface AuditRunResult {
  report: AuditReport;
  leads: LeadResult[];
  /** conversion impact over each lead's current cycle (likely duplicates left out) */
  conversion: ConversionImpact;
  warnings: string[];
  problems: RowProblem[];
  files: Record<string, number>;
}

export const truthy = (v: string | undefined): boolean => (v ?? '').trim().toLowerCase() === 'true';

export async function runAudit(options: RunAuditOptions): Promise<AuditRunResult> {
  const paths = options.tables;
  const problems: RowProblem[] = [];
  const warnings: string[] = [];
  const files: Record<string, number> = {};
  const L = (o: AuditObject): string => paths[o]?.label ?? `${o}.csv`;
  if (!paths.Lead) {
    throw new CsvFileError(
      `${options.source} has no Lead table (Lead.csv is the one required file)`,
      L('Lead')
    );
  }
  const progress = options.onProgress ?? (() => undefined);
  let latest = 0;
  const seen = (ms: number): void => {
    if (ms > latest) latest = ms;
  };
  const badDate = (file: string, line: number, column: string, value: string): void => {
    problems.push({ file, line, column, reason: `"${value}" is not a date-time` });
  };

  // users and queues
  const users: AuditUser[] = [];
  if (paths.User) {
    const read = await paths.User.read(
      ['Id', 'IsActive'],
      ({ values }) => {
        users.push({
          id: values.Id,
          name:
            values.Name ||
            [values.FirstName, values.LastName].filter(Boolean).join(' ') ||
            values.Id,
          username: values.Username,
          isActive: truthy(values.IsActive),
          managerId: values.ManagerId || undefined,
          userType: values.UserType || undefined
        });
      },
      problems
    );
    files[L('User')] = read?.rows ?? 0;
    if (!read) warnings.push(`${L('User')} is empty: owners are shown by Id and treated as active`);
  } else {
    warnings.push('no User table: owners are shown by Id and treated as active users');
  }
  const queues: AuditQueue[] = [];
  if (paths.Group) {
    const read = await paths.Group.read(
      ['Id', 'Name'],
      ({ values }) => queues.push({ id: values.Id, name: values.Name }),
      problems
    );
    files[L('Group')] = read?.rows ?? 0;
  }

  // business hours and holidays
  const holidays: HolidaySpec[] = [];
  if (paths.Holiday) {
    const read = await paths.Holiday.read(
      ['Name', 'ActivityDate', 'IsAllDay'],
      ({ values, line }) => {
        const spec = holidayFromRecord(values);
        try {
          new BusinessCalendar({ timeZone: 'UTC', days: { ...ALWAYS } }, [spec]);
          holidays.push(spec);
        } catch (e) {
          problems.push({ file: L('Holiday'), line, reason: (e as Error).message });
        }
      },
      problems
    );
    files[L('Holiday')] = read?.rows ?? 0;
  }
  const businessHours: AuditBusinessHours[] = [];
  if (paths.BusinessHours) {
    const read = await paths.BusinessHours.read(
      ['Name', 'TimeZoneSidKey'],
      ({ values, line }) => {
        if (values.IsActive !== undefined && values.IsActive !== '' && !truthy(values.IsActive))
          return;
        try {
          businessHours.push({
            id: values.Id ?? values.Name,
            name: values.Name,
            isDefault: truthy(values.IsDefault),
            calendar: new BusinessCalendar(weeklyHoursFromRecord(values), holidays)
          });
        } catch (e) {
          problems.push({ file: L('BusinessHours'), line, reason: (e as Error).message });
        }
      },
      problems
    );
    files[L('BusinessHours')] = read?.rows ?? 0;
  }
  if (!businessHours.length) {
    warnings.push('no usable BusinessHours: business minutes use a 24x7 calendar in UTC');
  }

  // leads first: their engagement times decide which activities qualify
  let builder: AuditBuilder | null = null;
  const leadRows: {
    id: string;
    createdAt: number;
    ownerId: string;
    fields: Record<string, string>;
  }[] = [];
  let stampColumns: Partial<Record<StampField, string>> = {};
  const leadRead = await paths.Lead.read(
    ['Id', 'CreatedDate', 'OwnerId'],
    ({ values, line }) => {
      const createdAt = parseInstant(values.CreatedDate);
      if (createdAt === null) return badDate(L('Lead'), line, 'CreatedDate', values.CreatedDate);
      if (!values.Id.trim()) {
        problems.push({ file: L('Lead'), line, column: 'Id', reason: 'Id is blank' });
        return;
      }
      seen(createdAt);
      leadRows.push({
        id: values.Id.trim(),
        createdAt,
        ownerId: values.OwnerId.trim(),
        fields: values
      });
    },
    problems
  );
  if (!leadRead) throw new CsvFileError(`${L('Lead')} is empty: it has no header row`, L('Lead'));
  files[L('Lead')] = leadRead.rows;
  stampColumns = resolveStampColumns(leadRead.header);
  const engagementField = options.rules.settings.engagementSourceField;
  if (engagementField && !resolveColumn(leadRead.header, engagementField)) {
    warnings.push(
      `the engagement source field ${engagementField} is not in ${L('Lead')}: engagement falls back to CreatedDate`
    );
  }
  for (const rule of options.rules.slaRules.filter((r) => r.isActive)) {
    for (const c of rule.criteria) {
      if (!resolveColumn(leadRead.header, c.field)) {
        warnings.push(
          `SLA rule ${rule.developerName} tests ${c.field}, which ${L('Lead')} lacks (read as blank)`
        );
      }
    }
  }
  progress(`read ${leadRows.length} leads`);

  // history and activities may move "latest" forward; asOf is fixed before deriving
  const changes: { leadId: string; at: number; oldValue: string; newValue: string }[] = [];
  const fieldChanges: FieldChange[] = [];
  if (paths.LeadHistory) {
    const read = await paths.LeadHistory.read(
      ['LeadId', 'Field', 'OldValue', 'NewValue', 'CreatedDate'],
      ({ values, line }) => {
        const field = values.Field.trim().toLowerCase();
        if (field !== 'owner' && field !== 'ownerassignment') {
          // other fields: the engagement source field starts cycles, every field lets earlier
          // cycles be judged on the values the lead had then (docs/CYCLES.md)
          if (!field || NOT_FIELDS.has(field)) return;
          const at = parseInstant(values.CreatedDate);
          if (at === null) {
            return badDate(L('LeadHistory'), line, 'CreatedDate', values.CreatedDate);
          }
          seen(at);
          fieldChanges.push({
            leadId: values.LeadId.trim(),
            field: values.Field.trim(),
            at,
            oldValue: values.OldValue,
            newValue: values.NewValue
          });
          return;
        }
        // the history holds each owner change twice: with names and with Ids; keep the Ids
        if (!/^(005|00G)[a-zA-Z0-9]{12}([a-zA-Z0-9]{3})?$/.test(values.NewValue.trim())) return;
        const at = parseInstant(values.CreatedDate);
        if (at === null) return badDate(L('LeadHistory'), line, 'CreatedDate', values.CreatedDate);
        seen(at);
        changes.push({
          leadId: values.LeadId.trim(),
          at,
          oldValue: values.OldValue.trim(),
          newValue: values.NewValue.trim()
        });
      },
      problems
    );
    files[L('LeadHistory')] = read?.rows ?? 0;
  } else {
    warnings.push(
      'no LeadHistory table: a lead counts as assigned only if created owned by a user'
    );
  }

  const asOfProvisional = options.asOf;
  const makeBuilder = (asOf: number): AuditBuilder =>
    new AuditBuilder({
      rules: options.rules,
      users,
      queues,
      businessHours,
      asOf,
      stampColumns,
      slowestCount: options.slowestCount
    });
  // activities are reduced while streaming; the builder needs asOf only when finishing, so it
  // is created with a placeholder and rebuilt cheaply below when asOf comes from the data
  builder = makeBuilder(asOfProvisional ?? Number.MAX_SAFE_INTEGER);
  for (const lead of leadRows) builder.addLead(lead);
  let orphanChanges = 0;
  for (const c of changes) if (!builder.addOwnerChange(c)) orphanChanges++;
  for (const c of fieldChanges) if (!builder.addFieldChange(c)) orphanChanges++;
  if (orphanChanges)
    warnings.push(`${orphanChanges} LeadHistory row(s) name leads not in ${L('Lead')}`);

  for (const object of ['Task', 'Event'] as const) {
    const path = paths[object];
    if (!path) {
      warnings.push(
        `no ${object} table: ${object === 'Task' ? 'calls, emails and LinkedIn touches' : 'meetings'} are not counted`
      );
      continue;
    }
    let orphans = 0;
    const read = await path.read(
      ['Id', 'WhoId', 'CreatedDate', 'OwnerId'],
      ({ values, line }) => {
        const when =
          object === 'Task' ? values.CompletedDateTime || values.CreatedDate : values.CreatedDate;
        const at = parseInstant(when);
        if (at === null) {
          return badDate(
            L(object),
            line,
            values.CompletedDateTime ? 'CompletedDateTime' : 'CreatedDate',
            when
          );
        }
        seen(at);
        const whoId = values.WhoId.trim();
        if (!whoId) return;
        const known = builder?.addActivity({
          object,
          id: values.Id,
          whoId,
          at,
          ownerId: values.OwnerId.trim(),
          createdById: (values.CreatedById ?? '').trim(),
          fields: values
        });
        if (!known && whoId.startsWith('00Q')) orphans++;
      },
      problems
    );
    files[L(object)] = read?.rows ?? 0;
    if (orphans) warnings.push(`${orphans} ${object} row(s) name leads not in ${L('Lead')}`);
    progress(`read ${files[L(object)]} ${object.toLowerCase()}s`);
  }

  // opportunities: only the converted leads' ones matter, so only those are kept
  const opportunityRows: Record<string, string>[] = [];
  const opportunityLines: number[] = [];
  if (paths.Opportunity) {
    const read = await paths.Opportunity.read(
      ['Id'],
      ({ values, line }) => {
        opportunityRows.push(values);
        opportunityLines.push(line);
      },
      problems
    );
    files[L('Opportunity')] = read?.rows ?? 0;
  } else {
    warnings.push(
      'no Opportunity table: conversion rates are counted, pipeline and won amounts are not'
    );
  }

  const asOf = asOfProvisional ?? (latest || Date.now());
  if (asOfProvisional === undefined) builder.setAsOf(asOf);
  const leads: LeadResult[] = [];
  const conversionLeads: ConversionLead[] = [];
  const report = builder.finish((l) => {
    if (options.keepLeads) leads.push(l);
    // conversion is a lead's outcome: judged on its current cycle; a likely duplicate is the
    // same person as another lead and is left out
    if (l.isCurrentCycle && l.likelyDuplicateOf === null) {
      conversionLeads.push({
        id: l.id,
        speedToLeadMinutes: l.speedToLeadMinutes,
        systemsDelayMinutes: l.systemsDelayMinutes,
        slaStatus: l.slaStatus,
        leadType: l.leadType,
        source: l.source,
        converted: l.converted,
        convertedOpportunityId: l.convertedOpportunityId,
        engagementAt: l.engagementAt
      });
    }
  });
  warnings.push(...builder.warnings);
  const opportunities = opportunitiesFromRows(
    opportunityRows,
    L('Opportunity'),
    (i) => opportunityLines[i]
  );
  const conversion = computeConversionImpact(conversionLeads, opportunities, options.conversion);
  return { report, leads, conversion, warnings, problems, files };
}

/** LeadHistory `Field` values that are events, not field changes. */
const NOT_FIELDS = new Set([
  'created',
  'leadconverted',
  'leadmerged',
  'feedevent',
  'locked',
  'unlocked',
  'ownerassignment'
]);

const ALWAYS = Object.fromEntries(
  DAY_NAMES.map((d) => [d, { start: '00:00', end: '00:00' }])
) as Record<(typeof DAY_NAMES)[number], { start: string; end: string }>;

/** The header column for a package field, with or without the namespace prefix. */
export function resolveColumn(header: readonly string[], field: string): string | undefined {
  const plain = field.toLowerCase().replace(new RegExp(`^${NAMESPACE}__`), '');
  return (
    header.find((h) => h.toLowerCase() === `${NAMESPACE}__${plain}`) ??
    header.find((h) => h.toLowerCase() === plain)
  );
}

function resolveStampColumns(header: readonly string[]): Partial<Record<StampField, string>> {
  const out: Partial<Record<StampField, string>> = {};
  for (const f of STAMP_FIELDS) {
    const col = resolveColumn(header, f);
    if (col) out[f] = col;
  }
  return out;
}
