/**
 * Audits an org: reads the same tables an export folder holds through the REST API (query with
 * paging) or, for large tables, the Bulk API 2.0 (query job, CSV results by locator). Field names
 * are resolved from the Lead describe, with or without the `stlead__` namespace, and the org's own
 * rules (`SlaRule__mdt`, ...) are used when the package is installed.
 */
import type { ConversionOptions } from '../../lib/conversion.ts';
import { STAMP_FIELDS } from '../../lib/audit.ts';
import { exclusionRuleOf, NAMESPACE, settingsOf, slaRuleOf, touchRuleOf } from '../../lib/rules.ts';
import type { RuleSet, StlSettings } from '../../lib/sla.ts';
import { CsvFileError, type CsvRow, type RowProblem } from './csv-reader.ts';
import { runAudit, type AuditObject, type AuditRunResult, type TableSource } from './run-audit.ts';
import { queryAllPages } from '../../lib/docs/org.ts';

/** The part of a @salesforce/core Connection (jsforce) the CLI uses. */
export interface OrgConnection {
  instanceUrl: string;
  getUsername(): string | undefined;
  query<T = SfRecord>(soql: string): Promise<QueryPage<T>>;
  queryMore<T = SfRecord>(locator: string): Promise<QueryPage<T>>;
  describe(object: string): Promise<{ fields: { name: string }[] }>;
  describeGlobal(): Promise<{ sobjects: { name: string }[] }>;
  bulk2: {
    query(
      soql: string,
      options?: { pollTimeout?: number; pollInterval?: number }
    ): Promise<NodeJS.EventEmitter>;
  };
  request<T = unknown>(request: {
    method: string;
    url: string;
    body?: string;
    headers?: Record<string, string>;
  }): Promise<T>;
}

export interface QueryPage<T> {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: T[];
}

export interface OrgAuditOptions {
  connection: OrgConnection;
  /** rules to use when the org has no package rules (or when given explicitly) */
  rules: RuleSet;
  /** prefer the org's custom metadata over `rules` */
  useOrgRules?: boolean;
  asOf?: number;
  slowestCount?: number;
  onProgress?: (message: string) => void;
  keepLeads?: boolean;
  /** row count above which a table is read with the Bulk API 2.0 (default 10 000) */
  bulkThreshold?: number;
  /** how far back to read leads, in days (default 120) */
  days?: number;
  conversion?: ConversionOptions;
}

type SfRecord = Record<string, unknown> & { attributes?: unknown };

const BASE_LEAD_FIELDS = [
  'Id',
  'CreatedDate',
  'OwnerId',
  'Name',
  'FirstName',
  'LastName',
  'Company',
  'Email',
  'LeadSource',
  'Status',
  'Rating',
  'IsConverted',
  'ConvertedDate',
  'ConvertedOpportunityId'
];

function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

async function restQuery(
  conn: OrgConnection,
  soql: string,
  onRecord: (r: SfRecord) => void
): Promise<void> {
  let page = await conn.query<SfRecord>(soql);
  for (;;) {
    for (const r of page.records) onRecord(r);
    if (page.done || !page.nextRecordsUrl) break;
    page = await conn.queryMore<SfRecord>(page.nextRecordsUrl);
  }
}

async function bulkQuery(
  conn: OrgConnection,
  soql: string,
  onRecord: (r: SfRecord) => void
): Promise<void> {
  const stream = await conn.bulk2.query(soql, { pollTimeout: 10 * 60_000, pollInterval: 2000 });
  await new Promise<void>((resolve, reject) => {
    stream.on('record', (r: SfRecord) => onRecord(r));
    stream.on('error', reject);
    stream.on('end', () => resolve());
  });
}

/** A table read from the org; `label` is the object name; line numbers are record numbers + 1. */
function orgTable(
  conn: OrgConnection,
  object: string,
  fields: string[],
  where: string,
  bulkThreshold: number,
  progress: (m: string) => void
): TableSource {
  return {
    label: object,
    async read(required: readonly string[], onRow: (row: CsvRow) => void, _problems: RowProblem[]) {
      const missing = required.filter((r) => !fields.includes(r));
      if (missing.length)
        throw new CsvFileError(`${object} query lacks ${missing.join(', ')}`, object, missing[0]);
      const soql = `SELECT ${fields.join(', ')} FROM ${object}${where ? ` WHERE ${where}` : ''}`;
      const count = (
        await conn.query(`SELECT COUNT() FROM ${object}${where ? ` WHERE ${where}` : ''}`)
      ).totalSize;
      progress(
        `reading ${count} ${object} records${count > bulkThreshold ? ' (Bulk API 2.0)' : ''}`
      );
      let line = 1;
      const emit = (r: SfRecord): void => {
        const values: Record<string, string> = {};
        for (const f of fields) values[f] = text(r[f]);
        line++;
        onRow({ values, line });
      };
      if (count > bulkThreshold) await bulkQuery(conn, soql, emit);
      else await restQuery(conn, soql, emit);
      return { rows: line - 1, header: fields };
    }
  };
}

/** Which of `fields` the object has, each resolved to `stlead__X` or `X`. */
export function resolveFields(
  available: ReadonlySet<string>,
  fields: readonly string[]
): Map<string, string> {
  const byLower = new Map([...available].map((f) => [f.toLowerCase(), f]));
  const out = new Map<string, string>();
  for (const f of fields) {
    const plain = f.replace(new RegExp(`^${NAMESPACE}__`, 'i'), '');
    const hit =
      byLower.get(`${NAMESPACE}__${plain}`.toLowerCase()) ?? byLower.get(plain.toLowerCase());
    if (hit) out.set(f, hit);
  }
  return out;
}

async function describeFields(conn: OrgConnection, object: string): Promise<Set<string> | null> {
  try {
    const d = await conn.describe(object);
    return new Set(d.fields.map((f) => f.name));
  } catch {
    return null;
  }
}

/**
 * The fields each rule type is read with, by their plain names (resolved to `stlead__X` or `X`
 * against the type's describe). `FIELDS(ALL)` would need `LIMIT 200` and silently drop the rest.
 */
export const RULE_FIELDS = {
  SlaRule__mdt: [
    'DeveloperName',
    'LeadType__c',
    'Priority__c',
    'Criteria__c',
    'ThresholdMinutes__c',
    'BusinessHoursName__c',
    'IsHandRaiser__c',
    'WarningPercent__c',
    'IsActive__c'
  ],
  TouchRule__mdt: [
    'DeveloperName',
    'ActivityObject__c',
    'TouchType__c',
    'Criteria__c',
    'Priority__c',
    'IsActive__c'
  ],
  ExclusionRule__mdt: ['DeveloperName', 'Criteria__c', 'Reason__c', 'IsActive__c'],
  StlSetting__mdt: ['DeveloperName', 'EngagementSourceField__c', 'ExcludedOwners__c']
} as const;

export type RuleType = keyof typeof RULE_FIELDS;

/**
 * Every record of one rule type (`name` as the org spells it, namespaced or not), with the
 * type's fields listed explicitly and every page read.
 */
export async function readRuleRecords(
  conn: OrgConnection,
  type: RuleType,
  name: string
): Promise<SfRecord[]> {
  const described = await conn.describe(name);
  const available = new Set(described.fields.map((f) => f.name));
  const fields = [...resolveFields(available, RULE_FIELDS[type]).values()];
  if (!fields.some((f) => f === 'DeveloperName')) {
    throw new CsvFileError(`${name} has no DeveloperName field in this org`, name, 'DeveloperName');
  }
  return queryAllPages(conn, `SELECT ${fields.join(', ')} FROM ${name}`);
}

/** How the org names each rule type (`stlead__X`, else `X`); null when it has none. */
async function ruleTypeNames(conn: OrgConnection): Promise<(t: RuleType) => string | null> {
  const global = await conn.describeGlobal();
  const names = new Set(global.sobjects.map((s) => s.name.toLowerCase()));
  return (t) =>
    names.has(`${NAMESPACE}__${t}`.toLowerCase())
      ? `${NAMESPACE}__${t}`
      : names.has(t.toLowerCase())
        ? t
        : null;
}

/** The org's `StlSetting__mdt` `Default` record; null when the package is not installed. */
export async function readOrgSettings(conn: OrgConnection): Promise<StlSettings | null> {
  const name = (await ruleTypeNames(conn))('StlSetting__mdt');
  if (!name) return null;
  const records = await readRuleRecords(conn, 'StlSetting__mdt', name);
  return settingsOf(records.find((r) => r.DeveloperName === 'Default'));
}

/** The org's own rule records, namespaced or not; null when the package is not installed. */
export async function readOrgRules(conn: OrgConnection): Promise<RuleSet | null> {
  const typeName = await ruleTypeNames(conn);
  const sla = typeName('SlaRule__mdt');
  if (!sla) return null;
  const all = async (t: RuleType): Promise<SfRecord[]> => {
    const name = t === 'SlaRule__mdt' ? sla : typeName(t);
    return name ? readRuleRecords(conn, t, name) : [];
  };
  // the four types are independent: read them at once
  const [slaRecords, touchRecords, exclusionRecords, settingRecords] = await Promise.all([
    all('SlaRule__mdt'),
    all('TouchRule__mdt'),
    all('ExclusionRule__mdt'),
    all('StlSetting__mdt')
  ]);
  return {
    slaRules: slaRecords.map(slaRuleOf),
    touchRules: touchRecords.map(touchRuleOf),
    exclusionRules: exclusionRecords.map(exclusionRuleOf),
    settings: settingsOf(settingRecords.find((r) => r.DeveloperName === 'Default'))
  };
}

export async function auditOrg(options: OrgAuditOptions): Promise<AuditRunResult> {
  const conn = options.connection;
  const progress = options.onProgress ?? (() => undefined);
  const threshold = options.bulkThreshold ?? 10_000;
  let rules = options.rules;
  if (options.useOrgRules !== false) {
    const orgRules = await readOrgRules(conn);
    if (orgRules) rules = orgRules;
  }
  const leadFields = await describeFields(conn, 'Lead');
  if (!leadFields)
    throw new CsvFileError('the Lead object cannot be described in this org', 'Lead');
  const wanted = [
    ...BASE_LEAD_FIELDS,
    ...rules.slaRules.flatMap((r) => r.criteria.map((c) => c.field)),
    ...rules.exclusionRules.flatMap((r) => r.criteria.map((c) => c.field)),
    ...STAMP_FIELDS,
    ...(rules.settings.engagementSourceField ? [rules.settings.engagementSourceField] : [])
  ];
  const leadSelect = [...new Set(resolveFields(leadFields, wanted).values())];
  // owner changes, and the engagement source field and rule fields that start and judge cycles
  const historyFields = [
    'Owner',
    ...new Set(
      resolveFields(leadFields, [
        ...(rules.settings.engagementSourceField ? [rules.settings.engagementSourceField] : []),
        ...rules.slaRules.flatMap((r) => r.criteria.map((c) => c.field))
      ]).values()
    )
  ].filter((f) => /^[A-Za-z0-9_]+$/.test(f));
  const since = `CreatedDate = LAST_N_DAYS:${options.days ?? 120}`;
  const [taskFields, eventFields, opportunityFields] = await Promise.all([
    describeFields(conn, 'Task'),
    describeFields(conn, 'Event'),
    describeFields(conn, 'Opportunity')
  ]);
  const pickFields = (have: Set<string> | null, list: string[]): string[] =>
    have ? list.filter((f) => have.has(f)) : list;
  const table = (object: string, fields: string[], where = ''): TableSource =>
    orgTable(conn, object, fields, where, threshold, progress);
  const tables: Partial<Record<AuditObject, TableSource>> = {
    Lead: table('Lead', leadSelect, since),
    LeadHistory: table(
      'LeadHistory',
      ['LeadId', 'Field', 'OldValue', 'NewValue', 'CreatedDate'],
      `Field IN (${historyFields.map((f) => `'${f}'`).join(', ')}) AND ${since}`
    ),
    Task: table(
      'Task',
      pickFields(taskFields, [
        'Id',
        'WhoId',
        'CreatedDate',
        'CompletedDateTime',
        'OwnerId',
        'CreatedById',
        'TaskSubtype',
        'Type',
        'Subject',
        'Status'
      ]),
      `Who.Type = 'Lead' AND ${since}`
    ),
    Event: table(
      'Event',
      pickFields(eventFields, [
        'Id',
        'WhoId',
        'CreatedDate',
        'OwnerId',
        'CreatedById',
        'Type',
        'Subject',
        'StartDateTime'
      ]),
      `Who.Type = 'Lead' AND ${since}`
    ),
    User: table('User', ['Id', 'Name', 'Username', 'IsActive', 'ManagerId', 'UserType']),
    Group: table('Group', ['Id', 'Name'], `Type = 'Queue'`),
    BusinessHours: table('BusinessHours', [
      'Id',
      'Name',
      'IsActive',
      'IsDefault',
      'TimeZoneSidKey',
      ...['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'].flatMap(
        (d) => [`${d}StartTime`, `${d}EndTime`]
      )
    ]),
    Holiday: table('Holiday', [
      'Id',
      'Name',
      'ActivityDate',
      'IsAllDay',
      'StartTimeInMinutes',
      'EndTimeInMinutes',
      'IsRecurrence',
      'RecurrenceType',
      'RecurrenceInterval',
      'RecurrenceDayOfWeekMask',
      'RecurrenceDayOfMonth',
      'RecurrenceInstance',
      'RecurrenceMonthOfYear',
      'RecurrenceStartDate',
      'RecurrenceEndDateOnly'
    ])
  };
  // only the opportunities the audited leads were converted into: a semi-join on the same lead
  // window (semi-joins are not among the Bulk API 2.0 query's unsupported SOQL features)
  if (opportunityFields) {
    tables.Opportunity = table(
      'Opportunity',
      pickFields(opportunityFields, ['Id', 'Amount', 'IsWon', 'IsClosed', 'CreatedDate']),
      `Id IN (SELECT ConvertedOpportunityId FROM Lead WHERE IsConverted = true AND ${since})`
    );
  }
  return runAudit({
    tables,
    source: conn.getUsername() ?? conn.instanceUrl,
    rules,
    asOf: options.asOf ?? Date.now(),
    slowestCount: options.slowestCount,
    onProgress: progress,
    keepLeads: options.keepLeads,
    conversion: options.conversion
  });
}
