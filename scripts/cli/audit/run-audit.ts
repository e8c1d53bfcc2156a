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
  type ActivityInput,
  type AuditBusinessHours,
  type AuditQueue,
  type AuditReport,
  type AuditUser,
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
  ConversionCollector,
  opportunitiesFromRows,
  type ConversionImpact,
  type ConversionOptions
} from '../../lib/conversion.ts';
import { NAMESPACE } from '../../lib/rules.ts';
import type { RuleSet } from '../../lib/sla.ts';
import { CsvFileError, type CsvRow, type RecordHandler, type RowProblem } from './csv-reader.ts';

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
  /**
   * Optional, faster: the same rows as arrays in header order (`onHeader` sees the header once,
   * before the first row, and returns the row handler). The large tables use it when present.
   */
  readRecords?(
    required: readonly string[],
    onHeader: (header: readonly string[]) => RecordHandler,
    problems: RowProblem[]
  ): Promise<{ rows: number; header: string[] } | null>;
}

/** Rows as arrays: `readRecords` when the table has it, else `read` with its values in order. */
function readRecords(
  table: TableSource,
  required: readonly string[],
  onHeader: (header: readonly string[]) => RecordHandler,
  problems: RowProblem[]
): Promise<{ rows: number; header: string[] } | null> {
  if (table.readRecords) return table.readRecords(required, onHeader, problems);
  let header: string[] | null = null;
  let onRecord: RecordHandler | null = null;
  return table.read(
    required,
    ({ values, line }) => {
      if (!header || !onRecord) {
        header = Object.keys(values);
        onRecord = onHeader(header);
      }
      const h = header;
      onRecord(
        h.map((k) => values[k] ?? ''),
        line
      );
    },
    problems
  );
}

/** The column index of each name (-1 when the header lacks it). */
function indexes<K extends string>(
  header: readonly string[],
  names: readonly K[]
): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const n of names) out[n] = header.indexOf(n);
  return out;
}

/**
 * One string per distinct value for the columns that repeat a few values (owner Ids, picklists),
 * so a million leads do not hold a million copies; a column stops being interned once it has
 * shown too many distinct values to be worth it (names, times: then every lookup would miss).
 */
class Interner {
  private seen: Map<string, string> | null = new Map<string, string>();
  constructor(private readonly limit = 50_000) {}
  get(value: string): string {
    const seen = this.seen;
    if (seen === null) return value;
    const known = seen.get(value);
    if (known !== undefined) return known;
    if (seen.size < this.limit) seen.set(value, value);
    else this.seen = null;
    return value;
  }
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

  // leads first: their engagement times decide which activities qualify. The builder is made
  // with the Lead header (it names the stamp columns) and takes rows as they are read; asOf is
  // only needed when finishing, so it starts as a placeholder when it comes from the data
  const asOfProvisional = options.asOf;
  let builder: AuditBuilder | null = null;
  const ids = new Interner();
  let leadCount = 0;
  const leadRead = await readRecords(
    paths.Lead,
    ['Id', 'CreatedDate', 'OwnerId'],
    (header) => {
      const b = new AuditBuilder({
        rules: options.rules,
        users,
        queues,
        businessHours,
        asOf: asOfProvisional ?? Number.MAX_SAFE_INTEGER,
        stampColumns: resolveStampColumns(header),
        slowestCount: options.slowestCount
      });
      builder = b;
      const col = indexes(header, ['Id', 'CreatedDate', 'OwnerId']);
      // only the columns the audit reads are kept (and the engagement source field, read once)
      const engagementColumn = options.rules.settings.engagementSourceField
        ? resolveColumn(header, options.rules.settings.engagementSourceField)
        : undefined;
      const kept = header
        .map((name, i) => ({ name, i, interner: new Interner(10_000) }))
        .filter(({ name }) => b.leadColumnUsed(name));
      const engagementIndex =
        engagementColumn === undefined ? -1 : header.indexOf(engagementColumn);
      return (record, line) => {
        const created = record[col.CreatedDate];
        const createdAt = parseInstant(created);
        if (createdAt === null) return badDate(L('Lead'), line, 'CreatedDate', created);
        const id = record[col.Id].trim();
        if (!id) {
          problems.push({ file: L('Lead'), line, column: 'Id', reason: 'Id is blank' });
          return;
        }
        seen(createdAt);
        const fields: Record<string, string> = {};
        for (const k of kept) {
          fields[k.name] = k.name === 'Email' ? record[k.i] : k.interner.get(record[k.i]);
        }
        leadCount++;
        b.addLead({
          id,
          createdAt,
          ownerId: ids.get(record[col.OwnerId].trim()),
          fields,
          engagementValue: engagementIndex === -1 ? undefined : record[engagementIndex]
        });
      };
    },
    problems
  );
  if (!leadRead) throw new CsvFileError(`${L('Lead')} is empty: it has no header row`, L('Lead'));
  files[L('Lead')] = leadRead.rows;
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
  progress(`read ${leadCount} leads`);
  // a Lead table with a header and no rows still gets a builder
  const audit: AuditBuilder =
    builder ??
    new AuditBuilder({
      rules: options.rules,
      users,
      queues,
      businessHours,
      asOf: asOfProvisional ?? Number.MAX_SAFE_INTEGER,
      stampColumns: resolveStampColumns(leadRead.header),
      slowestCount: options.slowestCount
    });

  // history and activities may move "latest" forward; asOf is fixed before deriving
  let orphanChanges = 0;
  if (paths.LeadHistory) {
    const read = await readRecords(
      paths.LeadHistory,
      ['LeadId', 'Field', 'OldValue', 'NewValue', 'CreatedDate'],
      (header) => {
        const col = indexes(header, ['LeadId', 'Field', 'OldValue', 'NewValue', 'CreatedDate']);
        const fieldNames = new Interner(10_000);
        return (record, line) => {
          const fieldText = record[col.Field];
          const field = fieldText.trim().toLowerCase();
          const created = record[col.CreatedDate];
          if (field !== 'owner' && field !== 'ownerassignment') {
            // other fields: the engagement source field starts cycles, every field lets earlier
            // cycles be judged on the values the lead had then (docs/CYCLES.md)
            if (!field || NOT_FIELDS.has(field)) return;
            const at = parseInstant(created);
            if (at === null) return badDate(L('LeadHistory'), line, 'CreatedDate', created);
            seen(at);
            const known = audit.addFieldChange({
              leadId: record[col.LeadId].trim(),
              field: fieldNames.get(fieldText.trim()),
              at,
              oldValue: record[col.OldValue],
              newValue: record[col.NewValue]
            });
            if (!known) orphanChanges++;
            return;
          }
          // the history holds each owner change twice: with names and with Ids; keep the Ids
          const newValue = record[col.NewValue].trim();
          if (!OWNER_ID.test(newValue)) return;
          const at = parseInstant(created);
          if (at === null) return badDate(L('LeadHistory'), line, 'CreatedDate', created);
          seen(at);
          const known = audit.addOwnerChange({
            leadId: record[col.LeadId].trim(),
            at,
            oldValue: ids.get(record[col.OldValue].trim()),
            newValue: ids.get(newValue)
          });
          if (!known) orphanChanges++;
        };
      },
      problems
    );
    files[L('LeadHistory')] = read?.rows ?? 0;
  } else {
    warnings.push(
      'no LeadHistory table: a lead counts as assigned only if created owned by a user'
    );
  }
  if (orphanChanges)
    warnings.push(`${orphanChanges} LeadHistory row(s) name leads not in ${L('Lead')}`);

  // activities are reduced while streaming: only the columns touch rules test are passed on
  const touchFields = (object: 'Task' | 'Event'): Set<string> =>
    new Set([
      'tasksubtype',
      ...options.rules.touchRules
        .filter((r) => r.activityObject === object)
        .flatMap((r) => r.criteria.map((c) => c.field.toLowerCase()))
    ]);
  for (const object of ['Task', 'Event'] as const) {
    const path = paths[object];
    if (!path) {
      warnings.push(
        `no ${object} table: ${object === 'Task' ? 'calls, emails and LinkedIn touches' : 'meetings'} are not counted`
      );
      continue;
    }
    let orphans = 0;
    const read = await readRecords(
      path,
      ['Id', 'WhoId', 'CreatedDate', 'OwnerId'],
      (header) => {
        const col = indexes(header, [
          'Id',
          'WhoId',
          'CreatedDate',
          'OwnerId',
          'CreatedById',
          'CompletedDateTime'
        ]);
        const completed = object === 'Task' ? col.CompletedDateTime : -1;
        const wanted = touchFields(object);
        const kept = header
          .map((name, i) => ({ name, i }))
          .filter(({ name }) => wanted.has(name.toLowerCase()));
        // one activity object for the whole table: the builder keeps nothing of it but values
        const fields: Record<string, string> = {};
        for (const k of kept) fields[k.name] = '';
        const activity: ActivityInput = {
          object,
          id: '',
          whoId: '',
          at: 0,
          ownerId: '',
          createdById: '',
          fields
        };
        return (record, line) => {
          const completedAt = completed === -1 ? '' : record[completed];
          const when = completedAt || record[col.CreatedDate];
          const at = parseInstant(when);
          if (at === null) {
            return badDate(
              L(object),
              line,
              completedAt ? 'CompletedDateTime' : 'CreatedDate',
              when
            );
          }
          seen(at);
          const whoId = record[col.WhoId].trim();
          if (!whoId) return;
          // most activities come after the lead's first touch: nothing more to read of them
          const could = audit.couldTouch(whoId, at);
          if (could === undefined) {
            if (whoId.startsWith('00Q')) orphans++;
            return;
          }
          if (!could) return;
          for (const k of kept) fields[k.name] = record[k.i];
          activity.id = record[col.Id];
          activity.whoId = whoId;
          activity.at = at;
          activity.ownerId = ids.get(record[col.OwnerId].trim());
          activity.createdById = col.CreatedById === -1 ? '' : record[col.CreatedById].trim();
          audit.addActivity(activity);
        };
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
  if (asOfProvisional === undefined) audit.setAsOf(asOf);
  const leads: LeadResult[] = [];
  // folded lead by lead as the cycles are derived (no list of a million leads)
  const conversionLeads = new ConversionCollector(options.conversion);
  const report = audit.finish((l) => {
    if (options.keepLeads) leads.push(l);
    // conversion is a lead's outcome: judged on its current cycle; a likely duplicate is the
    // same person as another lead and is left out
    if (l.isCurrentCycle && l.likelyDuplicateOf === null) conversionLeads.add(l);
  });
  warnings.push(...audit.warnings);
  const opportunities = opportunitiesFromRows(
    opportunityRows,
    L('Opportunity'),
    (i) => opportunityLines[i]
  );
  const conversion = conversionLeads.result(opportunities);
  return { report, leads, conversion, warnings, problems, files };
}

/** An owner Id (user or queue), 15 or 18 characters. */
const OWNER_ID = /^(005|00G)[a-zA-Z0-9]{12}([a-zA-Z0-9]{3})?$/;

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
