/**
 * The audit engine: derives, per engagement cycle of each lead, engagement, assignment, first touch,
 * delays, lead type and SLA outcome (docs/DATA-MODEL.md definitions, cycles as in docs/CYCLES.md),
 * then the report: statistics by source, lead type, owner and ISO week, SLA hit rates, the slowest
 * cycles, bottlenecks, safety nets, likely duplicates and, where the package's stamps exist, a
 * data-accuracy check. Pure: the caller feeds records (from CSV files or an org) in the order
 * leads, history (owner changes and field changes), activities; activities are reduced as they
 * arrive, so memory does not grow with the number of activities.
 *
 * Units: cycles are the unit of SLA outcomes and delays (a lead that came back is judged once per
 * hand-raise); leads are the unit of volume (lead counts, sources, duplicates). `REPORT_UNITS`
 * names the unit of every section and is part of the JSON report.
 */
import { DateTime } from 'luxon';
import { BusinessCalendar } from './business-time.ts';
import {
  activeExclusionRules,
  activeSlaRules,
  activeTouchRules,
  criteriaTest,
  evaluateSla,
  fieldValue,
  type Condition,
  type ExclusionRule,
  type RuleSet,
  type SlaRule,
  type SlaStatus,
  type TouchRule
} from './sla.ts';
import { roundSummary, summarize, type Summary } from './stats.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface AuditUser {
  id: string;
  name: string;
  username?: string;
  isActive: boolean;
  managerId?: string;
  /** Standard, AutomatedProcess, ...: activities created by non-Standard users never count */
  userType?: string;
}

export interface AuditQueue {
  id: string;
  name: string;
}

export interface AuditBusinessHours {
  id: string;
  name: string;
  isDefault: boolean;
  calendar: BusinessCalendar;
}

export interface AuditLeadInput {
  id: string;
  createdAt: number;
  ownerId: string;
  /** every Lead column as exported (field API name -> text), used by criteria and stamps */
  fields: Record<string, string>;
  /**
   * The engagement source field's text, for a caller that leaves that column out of `fields`
   * (the audit reads it only here); otherwise it is looked up in `fields`.
   */
  engagementValue?: string;
}

export interface OwnerChange {
  leadId: string;
  at: number;
  oldValue: string;
  newValue: string;
}

/** A LeadHistory row for a field other than the owner (values as exported, text). */
export interface FieldChange {
  leadId: string;
  /** the field's API name as LeadHistory names it */
  field: string;
  at: number;
  oldValue: string;
  newValue: string;
}

export interface ActivityInput {
  object: 'Task' | 'Event';
  id: string;
  whoId: string;
  at: number;
  ownerId: string;
  createdById: string;
  fields: Record<string, string>;
}

export interface AuditOptions {
  rules: RuleSet;
  users: AuditUser[];
  queues: AuditQueue[];
  businessHours: AuditBusinessHours[];
  /** evaluation time for Pending/Missed and the safety nets */
  asOf: number;
  /** Lead columns that hold the package's stamps, keyed by the plain field name */
  stampColumns?: Partial<Record<StampField, string>>;
  /** how many slowest leads to list */
  slowestCount?: number;
}

export const STAMP_FIELDS = [
  'EngagementAt__c',
  'AssignedAt__c',
  'FirstTouchAt__c',
  'SystemsDelayMinutes__c',
  'HumanDelayMinutes__c',
  'HumanDelayBusinessMinutes__c',
  'SpeedToLeadMinutes__c',
  'LeadType__c',
  'SlaStatus__c',
  'SlaDueAt__c'
] as const;
export type StampField = (typeof STAMP_FIELDS)[number];

/** One engagement cycle of a lead (a lead without re-engagements has exactly one). */
export interface LeadResult {
  id: string;
  /** 1 for the first engagement, 2 for the first re-engagement, ... */
  cycleNumber: number;
  /** how many cycles the lead has */
  cycleCount: number;
  /** true for the lead's last cycle, the one the Lead's own fields mirror */
  isCurrentCycle: boolean;
  /** Superseded, Touched or Excluded for an earlier cycle; null for the current one */
  closedReason: 'Superseded' | 'Touched' | 'Excluded' | null;
  /** another lead with the same email whose SLA was Pending when this one arrived (cycle 1) */
  likelyDuplicateOf: string | null;
  /** the lead was converted (on its current cycle only: a conversion ends the last cycle) */
  converted: boolean;
  convertedOpportunityId: string | null;
  name: string;
  company: string;
  source: string;
  status: string;
  createdAt: string;
  engagementAt: string;
  engagementSource: string;
  assignedAt: string | null;
  accountableRepId: string | null;
  accountableRep: string | null;
  firstTouchAt: string | null;
  firstTouchType: string | null;
  firstTouchBy: string | null;
  systemsDelayMinutes: number | null;
  humanDelayMinutes: number | null;
  humanDelayBusinessMinutes: number | null;
  speedToLeadMinutes: number | null;
  leadType: string | null;
  slaRule: string | null;
  slaThresholdMinutes: number | null;
  slaDueAt: string | null;
  slaStatus: SlaStatus;
  slaMissedByMinutes: number | null;
  slaExcludedReason: string | null;
  queueWaitMinutes: number;
  reassignments: number;
  afterHours: boolean;
  week: string;
  currentOwner: string;
  currentOwnerType: 'User' | 'Queue' | 'Unknown';
}

export interface SlaCounts {
  hit: number;
  missed: number;
  pending: number;
  excluded: number;
  notApplicable: number;
  /** earlier cycles a re-engagement closed while still undecided (not Pending any more) */
  superseded: number;
  /** first cycles of likely duplicates: left out of every other count and of the hit rate */
  duplicates: number;
  /** hit / (hit + missed), null when nothing was decided */
  hitRate: number | null;
}

export interface GroupStats {
  key: string;
  /** distinct leads in the group */
  leads: number;
  /** cycles in the group (the delay and SLA figures count these, likely duplicates aside) */
  cycles: number;
  systemsDelay: Summary;
  humanDelay: Summary;
  humanDelayBusiness: Summary;
  speedToLead: Summary;
  sla: SlaCounts;
}

export interface FlaggedLead {
  id: string;
  name: string;
  owner: string;
  minutes: number;
}

export interface SafetyNets {
  inQueueOver60Min: { count: number; leads: FlaggedLead[] };
  ownedByInactiveUser: { count: number; leads: FlaggedLead[] };
  untouchedOver24h: { count: number; leads: FlaggedLead[] };
  slaMissSpikes: { week: string; missRate: number; previousMissRate: number }[];
  systemsDelayCreep: { week: string; medianMinutes: number; baselineMinutes: number }[];
}

export interface AccuracyResult {
  /** false when the export has none of the package's stamped fields */
  available: boolean;
  fieldsChecked: string[];
  leadsChecked: number;
  mismatchCount: number;
  /** leads whose every checked stamp agrees / leads checked */
  matchRate: number | null;
  mismatches: { leadId: string; field: string; stamped: string; recomputed: string }[];
}

export interface Bottlenecks {
  queueWait: { leads: number; minutes: Summary; over60Min: number };
  afterHours: {
    leads: number;
    share: number | null;
    speedToLeadMedianAfterHours: number | null;
    speedToLeadMedianInHours: number | null;
  };
  reassignments: {
    leads: number;
    total: number;
    speedToLeadMedianReassigned: number | null;
    speedToLeadMedianNotReassigned: number | null;
  };
}

export type Unit = 'cycle' | 'lead';

/** The unit each section of the report counts (docs/CLI.md, "Cycles and units"). */
export const REPORT_UNITS = {
  leads: 'lead',
  leadCounts: 'lead',
  cycles: 'cycle',
  reEngagement: 'lead',
  likelyDuplicates: 'lead',
  systemsDelay: 'cycle',
  humanDelay: 'cycle',
  humanDelayBusiness: 'cycle',
  speedToLead: 'cycle',
  sla: 'cycle',
  byLeadType: 'cycle',
  byOwner: 'cycle',
  bySource: 'lead',
  byWeek: 'cycle',
  slowest: 'cycle',
  bottlenecks: 'cycle',
  safetyNets: 'cycle',
  accuracy: 'lead'
} as const satisfies Record<string, Unit>;

export interface ReEngagement {
  /** false when re-engagements cannot be seen (no engagement field or no history for it) */
  historyAvailable: boolean;
  engagementField: string | null;
  leadsReEngaged: number;
  /** cycles after the first (every qualifying re-engagement) */
  reEngagementCycles: number;
  /** later engagement times that did not qualify (no hand-raiser rule, previous cycle open) */
  ignoredReEngagements: number;
}

export interface LikelyDuplicate {
  id: string;
  name: string;
  createdAt: string;
  /** the open lead with the same email */
  duplicateOf: string;
  duplicateOfName: string;
}

export interface AuditReport {
  asOf: string;
  units: typeof REPORT_UNITS;
  leads: number;
  cycles: number;
  reEngagement: ReEngagement;
  likelyDuplicates: { count: number; leads: LikelyDuplicate[] };
  leadCounts: { assigned: number; touched: number; unassigned: number; untouched: number };
  systemsDelay: Summary;
  humanDelay: Summary;
  humanDelayBusiness: Summary;
  speedToLead: Summary;
  sla: SlaCounts;
  byLeadType: GroupStats[];
  byOwner: GroupStats[];
  bySource: GroupStats[];
  byWeek: GroupStats[];
  slowest: LeadResult[];
  bottlenecks: Bottlenecks;
  safetyNets: SafetyNets;
  accuracy: AccuracyResult;
}

interface Touch {
  at: number;
  type: string;
  by: string;
}

/**
 * A moment a cycle could start and the first qualifying touch at or after it so far (`at` is
 * Infinity until there is one). Updated in place as activities arrive.
 */
interface TouchSlot extends Touch {
  start: number;
}

/** A rule with its criteria as one test (`criteriaTest`), for the rules tested per row. */
interface Compiled<R> {
  rule: R;
  test: (record: Readonly<Record<string, unknown>>) => boolean;
}
const compile = <R extends { criteria: readonly Condition[] }>(
  rules: readonly R[]
): Compiled<R>[] => rules.map((rule) => ({ rule, test: criteriaTest(rule.criteria) }));
function firstOf<R>(
  record: Readonly<Record<string, unknown>>,
  rules: readonly Compiled<R>[]
): R | undefined {
  for (const r of rules) if (r.test(record)) return r.rule;
  return undefined;
}

/** An owner change as a lead keeps it (the lead is implied). */
interface OwnerStep {
  at: number;
  oldValue: string;
  newValue: string;
}

/** A field history row as a lead keeps it: only what undoing it needs. */
interface FieldStep {
  field: string;
  at: number;
  oldValue: string;
}

/**
 * What the builder keeps of a lead until `finish`. Kept small (docs/BENCHMARKS.md): the Lead's
 * columns the audit reads (`leadColumnUsed`), owner changes and field history without the lead Id,
 * and the touch per possible cycle start, created only for leads with activities.
 */
interface LeadState {
  input: AuditLeadInput;
  /** the engagement of the first cycle (the current field value when there is no history) */
  engagementAt: number;
  engagementSource: string;
  changes: OwnerStep[];
  /** history of the fields the audit reads other than the owner, in the order added */
  fieldChanges: FieldStep[];
  /** the writes of the engagement source field: save time and the engagement time written */
  engagementWrites: { at: number; value: number }[];
  /** every moment a cycle could start, each with the first touch at or after it so far */
  touchesFrom: TouchSlot[] | null;
  /** later engagement times that did not start a cycle */
  ignored?: number;
}

const byTime = (a: OwnerStep, b: OwnerStep): number => a.at - b.at;
/** Past every owner change: closes the last ownership period. */
const END_OF_CHANGES: OwnerStep = { at: Infinity, newValue: '', oldValue: '' };
/** First and last name joined by a space, blanks left out. */
function fullName(first: string | undefined, last: string | undefined): string {
  return first && last ? `${first} ${last}` : first || last || '';
}

/** Shared by the leads without changes; never pushed to (see `append`). */
const NONE: never[] = [];
function append<T>(list: T[], item: T): T[] {
  if (list === NONE) return [item];
  list.push(item);
  return list;
}

/** The Lead columns the audit reads by fixed name (besides rule criteria and stamps). */
const LEAD_COLUMNS = [
  'Name',
  'FirstName',
  'LastName',
  'Company',
  'Email',
  'LeadSource',
  'Status',
  'IsConverted',
  'ConvertedDate',
  'ConvertedOpportunityId'
];
const plainField = (f: string): string =>
  f
    .trim()
    .toLowerCase()
    .replace(/^stlead__/, '');

/** One cycle while deriving: its engagement and the save that started it. */
interface CycleSpan {
  start: number;
  savedAt: number;
}

const iso = (ms: number | null): string | null => (ms === null ? null : isoInstant(ms));

/** `YYYY-MM-DD` of UTC days, as toISOString writes them (the audit writes millions of instants). */
const isoDays = new Map<number, string>();
const PAD = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const PAD2 = PAD.slice(0, 100).map((p) => p.slice(1));

/** What `new Date(ms).toISOString()` gives, with the date part remembered per UTC day. */
function isoInstant(ms: number): string {
  if (!Number.isInteger(ms)) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY);
  let date = isoDays.get(day);
  if (date === undefined) {
    const full = new Date(ms).toISOString();
    // years outside 0000-9999 are written with a sign and six digits: leave those to Date
    if (full.length !== 24) return full;
    if (isoDays.size > 100_000) isoDays.clear();
    date = full.slice(0, 11);
    isoDays.set(day, date);
  }
  let rest = ms - day * DAY;
  const milli = rest % 1000;
  rest = (rest - milli) / 1000;
  const second = rest % 60;
  rest = (rest - second) / 60;
  const minute = rest % 60;
  const hour = (rest - minute) / 60;
  return `${date}${PAD2[hour]}:${PAD2[minute]}:${PAD2[second]}.${PAD[milli]}Z`;
}
const minutes = (from: number | null, to: number | null): number | null =>
  from === null || to === null ? null : Math.round(((to - from) / MINUTE) * 100) / 100;
const isUserId = (id: string): boolean => id.startsWith('005');
const isQueueId = (id: string): boolean => id.startsWith('00G');
const truthy = (v: string | undefined): boolean => (v ?? '').trim().toLowerCase() === 'true';

/** A 24x7 UTC calendar, used when an export has no BusinessHours file. */
export function alwaysOpenCalendar(): BusinessCalendar {
  const open = { start: '00:00', end: '00:00' };
  return new BusinessCalendar({
    timeZone: 'UTC',
    days: {
      monday: open,
      tuesday: open,
      wednesday: open,
      thursday: open,
      friday: open,
      saturday: open,
      sunday: open
    }
  });
}

export class AuditBuilder {
  private readonly leads = new Map<string, LeadState>();
  private readonly usersById = new Map<string, AuditUser>();
  private readonly queuesById = new Map<string, AuditQueue>();
  private readonly excluded = new Set<string>();
  private readonly defaultCalendar: BusinessCalendar;
  private readonly calendarsByName = new Map<string, BusinessCalendar>();
  readonly warnings: string[] = [];
  private readonly unknownOwners = new Set<string>();
  private readonly missingCalendars = new Set<string>();
  private readonly weekZone: string;
  private activitiesStarted = false;
  private engagementHistorySeen = false;
  /** ISO week keys by UTC day and by hour of UTC time (see weekOf) */
  private readonly weekKeysByDay = new Map<number, string>();
  private readonly weekKeys = new Map<number, string>();
  /** the rules in matching order, sorted once, with their criteria compiled */
  private readonly slaRules: Compiled<SlaRule>[];
  private readonly exclusionRules: Compiled<ExclusionRule>[];
  private readonly touchRules: Record<ActivityInput['object'], Compiled<TouchRule>[]>;
  /** the active SLA rules as listed (re-engagements test them) */
  private readonly activeRules: Compiled<SlaRule>[];
  /** Lead fields the audit reads, by `plainField` name */
  private readonly usedFields: Set<string>;
  /** isEngagementField by history field name, as asked */
  private readonly engagementFieldNames = new Map<string, boolean>();
  /** leadColumnUsed by column name, as asked */
  private readonly usedColumnNames = new Map<string, boolean>();
  /** one string per history field name */
  private readonly fieldNames = new Map<string, string>();
  /** while deriving ahead of the lead order (likely duplicates): leave the warnings alone */
  private quiet = false;

  constructor(private options: AuditOptions) {
    const { rules } = options;
    this.slaRules = compile(activeSlaRules(rules.slaRules));
    this.exclusionRules = compile(activeExclusionRules(rules.exclusionRules));
    this.touchRules = {
      Task: compile(activeTouchRules('Task', rules.touchRules)),
      Event: compile(activeTouchRules('Event', rules.touchRules))
    };
    this.activeRules = compile(rules.slaRules.filter((r) => r.isActive));
    this.usedFields = new Set(
      [
        ...LEAD_COLUMNS,
        ...Object.values(options.stampColumns ?? {}),
        ...rules.slaRules.flatMap((r) => r.criteria.map((c) => c.field)),
        ...rules.exclusionRules.flatMap((r) => r.criteria.map((c) => c.field))
      ].map(plainField)
    );
    for (const u of options.users) this.usersById.set(u.id, u);
    for (const q of options.queues) this.queuesById.set(q.id, q);
    const excludedNames = new Set(
      options.rules.settings.excludedOwners.map((s) => s.toLowerCase())
    );
    for (const u of options.users) {
      if (
        excludedNames.has(u.id.toLowerCase()) ||
        excludedNames.has((u.username ?? '').toLowerCase())
      ) {
        this.excluded.add(u.id);
      }
    }
    for (const name of options.rules.settings.excludedOwners) {
      if (isUserId(name)) this.excluded.add(name);
    }
    const def =
      options.businessHours.find((b) => b.isDefault) ?? options.businessHours[0] ?? undefined;
    this.defaultCalendar = def?.calendar ?? alwaysOpenCalendar();
    for (const b of options.businessHours)
      this.calendarsByName.set(b.name.toLowerCase(), b.calendar);
    this.weekZone = this.defaultCalendar.hours.timeZone;
  }

  /**
   * Whether the audit reads this Lead column (rule criteria, stamps, names, source, status,
   * conversion, email; with or without the namespace). Other columns need not be kept: the
   * engagement source field is read once, when the lead is added.
   */
  leadColumnUsed(column: string): boolean {
    let used = this.usedColumnNames.get(column);
    if (used === undefined) {
      used = this.usedFields.has(plainField(column));
      this.usedColumnNames.set(column, used);
    }
    return used;
  }

  addLead(lead: AuditLeadInput): void {
    const field = this.options.rules.settings.engagementSourceField;
    let engagementAt = lead.createdAt;
    let engagementSource = 'CreatedDate';
    if (field) {
      const raw = lead.engagementValue ?? fieldValue(lead.fields, field);
      const parsed = typeof raw === 'string' && raw.trim() ? parseInstant(raw) : null;
      if (parsed !== null) {
        engagementAt = parsed;
        engagementSource = field;
      }
    }
    this.leads.set(lead.id, {
      input: {
        id: lead.id,
        createdAt: lead.createdAt,
        ownerId: lead.ownerId,
        fields: this.usedColumns(lead.fields)
      },
      engagementAt,
      engagementSource,
      changes: NONE,
      fieldChanges: NONE,
      engagementWrites: NONE,
      touchesFrom: null
    });
  }

  /** The record itself when the audit reads all of its columns, else a copy of those it reads. */
  private usedColumns(fields: Record<string, string>): Record<string, string> {
    const keys = Object.keys(fields);
    let all = true;
    for (const k of keys) if (!this.leadColumnUsed(k)) all = false;
    if (all) return fields;
    const out: Record<string, string> = {};
    for (const k of keys) if (this.leadColumnUsed(k)) out[k] = fields[k];
    return out;
  }

  /** False when the change names a lead that is not in the export. */
  addOwnerChange(change: OwnerChange): boolean {
    const lead = this.leads.get(change.leadId);
    if (!lead) return false;
    lead.changes = append(lead.changes, {
      at: change.at,
      oldValue: change.oldValue,
      newValue: change.newValue
    });
    return true;
  }

  /**
   * A LeadHistory row of another field: the engagement source field's rows start cycles, every
   * field's rows let earlier cycles be judged on the values the lead had then. Must come before
   * the activities. False when the change names a lead that is not in the export.
   */
  addFieldChange(change: FieldChange): boolean {
    if (this.activitiesStarted) {
      throw new Error('field history must be added before the activities');
    }
    const lead = this.leads.get(change.leadId);
    if (!lead) return false;
    // only the fields the audit reads are rolled back; the others would never be looked at
    if (this.leadColumnUsed(change.field)) {
      let name = this.fieldNames.get(change.field);
      if (name === undefined) this.fieldNames.set(change.field, (name = change.field));
      lead.fieldChanges = append(lead.fieldChanges, {
        field: name,
        at: change.at,
        oldValue: change.oldValue
      });
    }
    if (this.isEngagementField(change.field)) {
      this.engagementHistorySeen = true;
      const value = parseInstant(change.newValue);
      if (lead.engagementWrites.length === 0 || change.at < lead.engagementWrites[0].at) {
        // the value before the first write is the first cycle's engagement (blank: CreatedDate)
        const before = parseInstant(change.oldValue);
        lead.engagementAt = before ?? lead.input.createdAt;
        lead.engagementSource = before === null ? 'CreatedDate' : (change.field as string);
      }
      if (value !== null) {
        lead.engagementWrites = append(lead.engagementWrites, { at: change.at, value });
      }
    }
    return true;
  }

  private isEngagementField(field: string): boolean {
    const configured = this.options.rules.settings.engagementSourceField;
    if (!configured) return false;
    let is = this.engagementFieldNames.get(field);
    if (is === undefined) {
      is = plainField(field) === plainField(configured);
      this.engagementFieldNames.set(field, is);
    }
    return is;
  }

  /** Keeps the first qualifying touch from every possible cycle start; false when the lead is unknown. */
  addActivity(activity: ActivityInput): boolean {
    const lead = this.leads.get(activity.whoId);
    if (!lead) return false;
    if (!this.activitiesStarted) this.startActivities();
    const starts = lead.touchesFrom ?? this.candidateStarts(lead);
    // most activities come after the touches already kept: those need no rule test
    if (!improves(starts, activity.at)) return true;
    if (!this.countsAsHuman(activity)) return true;
    const rule = firstOf(activity.fields, this.touchRules[activity.object]);
    if (!rule) return true;
    for (const slot of starts) {
      if (activity.at < slot.start || slot.at <= activity.at) continue;
      slot.at = activity.at;
      slot.type = rule.touchType;
      slot.by = activity.ownerId;
    }
    return true;
  }

  /**
   * Whether an activity of this lead at `at` could become a first touch (`addActivity` would keep
   * something of it): false lets the caller skip building it; undefined when the lead is unknown.
   * Counts as the start of the activities, as `addActivity` does.
   */
  couldTouch(whoId: string, at: number): boolean | undefined {
    const lead = this.leads.get(whoId);
    if (!lead) return undefined;
    if (!this.activitiesStarted) this.startActivities();
    return improves(lead.touchesFrom ?? this.candidateStarts(lead), at);
  }

  private startActivities(): void {
    this.activitiesStarted = true;
  }

  /** The first engagement and every engagement time the field's history wrote. */
  private candidateStarts(lead: LeadState): TouchSlot[] {
    const starts: TouchSlot[] = [{ start: lead.engagementAt, at: Infinity, type: '', by: '' }];
    for (const w of lead.engagementWrites) {
      let known = false;
      for (const s of starts) if (s.start === w.value) known = true;
      if (!known) starts.push({ start: w.value, at: Infinity, type: '', by: '' });
    }
    lead.touchesFrom = starts;
    return starts;
  }

  /**
   * The ISO week (`2026-W03`) of an instant in the default business hours' zone, remembered per
   * UTC day, or per hour of UTC time for the days that hold a week boundary, when both ends of the
   * day (hour) fall in the same week at the same offset (always, except for the hour holding a
   * week boundary in a zone whose offset is not whole hours).
   */
  private weekOf(ms: number): string {
    const day = Math.floor(ms / DAY);
    const known = this.weekKeysByDay.get(day);
    if (known !== undefined) return known;
    const bucket = Math.floor(ms / HOUR);
    const knownHour = this.weekKeys.get(bucket);
    if (knownHour !== undefined) return knownHour;
    if (this.weekKeys.size > 100_000) this.weekKeys.clear();
    if (this.weekKeysByDay.size > 100_000) this.weekKeysByDay.clear();
    const local = (t: number): DateTime => DateTime.fromMillis(t, { zone: this.weekZone });
    const key = (t: DateTime): string => t.toFormat("kkkk-'W'WW");
    const dayStart = local(day * DAY);
    const dayEnd = local((day + 1) * DAY - 1);
    const dayKey = key(dayStart);
    if (dayStart.offset === dayEnd.offset && dayKey === key(dayEnd)) {
      this.weekKeysByDay.set(day, dayKey);
      return dayKey;
    }
    const first = key(local(bucket * HOUR));
    if (first !== key(local((bucket + 1) * HOUR - 1))) return key(local(ms));
    this.weekKeys.set(bucket, first);
    return first;
  }

  /** The evaluation time, when it is only known after reading everything (the export's end). */
  setAsOf(asOf: number): void {
    this.options = { ...this.options, asOf };
  }

  get leadCount(): number {
    return this.leads.size;
  }

  private countsAsHuman(a: ActivityInput): boolean {
    // autoresponders and system-created activities never count (docs/DATA-MODEL.md)
    if (this.excluded.has(a.ownerId) || this.excluded.has(a.createdById)) return false;
    if ((a.fields.TaskSubtype ?? '').toLowerCase() === 'listemail') return false;
    const creator = this.usersById.get(a.createdById);
    if (creator?.userType && creator.userType !== 'Standard') return false;
    return true;
  }

  private userName(id: string | null): string | null {
    if (!id) return null;
    return this.usersById.get(id)?.name ?? this.queuesById.get(id)?.name ?? id;
  }

  private isAssignee(id: string): boolean {
    if (!isUserId(id) || this.excluded.has(id)) return false;
    const user = this.usersById.get(id);
    if (!user) {
      if (!this.quiet) this.unknownOwners.add(id);
      return true;
    }
    return user.isActive;
  }

  private calendarFor(rule: SlaRule | undefined): BusinessCalendar {
    if (!rule?.businessHoursName) return this.defaultCalendar;
    const cal = this.calendarsByName.get(rule.businessHoursName.toLowerCase());
    if (!cal) {
      if (!this.quiet)
        this.missingCalendars.add(`${rule.developerName} -> ${rule.businessHoursName}`);
      return this.defaultCalendar;
    }
    return cal;
  }

  /**
   * The lead's fields as they were right after the save at `at` (inclusive) or just before it
   * (exclusive): every later history row of a field is undone with its OldValue.
   */
  private fieldsAt(state: LeadState, at: number, inclusive: boolean): Record<string, string> {
    if (!state.fieldChanges.length) return state.input.fields;
    const later = state.fieldChanges
      .filter((c) => (inclusive ? c.at > at : c.at >= at))
      .sort((a, b) => a.at - b.at);
    if (!later.length) return state.input.fields;
    const out = { ...state.input.fields };
    const keys = Object.keys(out);
    const undone = new Set<string>();
    for (const c of later) {
      const lower = c.field.trim().toLowerCase();
      if (undone.has(lower)) continue;
      undone.add(lower);
      const key =
        keys.find((k) => k.toLowerCase() === lower) ??
        keys.find((k) => k.toLowerCase() === `stlead__${lower}`) ??
        c.field.trim();
      out[key] = c.oldValue;
    }
    return out;
  }

  private touchFrom(state: LeadState, start: number, end: number): Touch | null {
    const slots = state.touchesFrom;
    if (!slots) return null;
    for (const t of slots) if (t.start === start) return t.at !== Infinity && t.at < end ? t : null;
    return null;
  }

  private convertedAt(state: LeadState): number | null {
    return truthy(state.input.fields.IsConverted)
      ? (parseInstant(state.input.fields.ConvertedDate ?? '') ?? this.options.asOf)
      : null;
  }

  /**
   * The lead's cycles (docs/CYCLES.md): a write of the engagement field with a later time starts
   * a cycle when the lead, as saved, meets an active hand-raiser rule, or meets any active rule
   * and the current cycle is closed (touched, or Hit, Missed, Excluded, Not Applicable). An
   * earlier time is a correction of the current cycle; nothing starts once the lead is converted.
   */
  private cyclesOf(state: LeadState): CycleSpan[] {
    const spans: CycleSpan[] = [{ start: state.engagementAt, savedAt: state.input.createdAt }];
    if (!state.engagementWrites.length) return spans;
    const converted = this.convertedAt(state);
    const writes = [...state.engagementWrites].sort((a, b) => a.at - b.at);
    const active = this.activeRules;
    for (const w of writes) {
      const cur = spans[spans.length - 1];
      if (w.value === cur.start) continue;
      if (w.value < cur.start) {
        const prev = spans[spans.length - 2];
        if (!prev || w.value > prev.start) cur.start = w.value;
        continue;
      }
      if (converted !== null && converted <= w.at) continue;
      const fields = this.fieldsAt(state, w.at, true);
      const handRaiser = active.some((r) => r.rule.isHandRaiser && r.test(fields));
      const anyRule = handRaiser || active.some((r) => r.test(fields));
      if (!anyRule) {
        state.ignored = (state.ignored ?? 0) + 1;
        continue;
      }
      if (!handRaiser) {
        const status = this.deriveCycle(state, spans, spans.length - 1, w.value, w.at);
        const closed = status.firstTouchAt !== null || status.slaStatus !== 'Pending';
        if (!closed) {
          state.ignored = (state.ignored ?? 0) + 1;
          continue;
        }
      }
      spans.push({ start: w.value, savedAt: w.at });
    }
    return spans;
  }

  /**
   * Derives cycle `k` of `spans`. For an earlier cycle (or while deciding whether a re-engagement
   * closes it) `end` is the next engagement and `endSavedAt` the save that wrote it.
   */
  private deriveCycle(
    state: LeadState,
    spans: readonly CycleSpan[],
    k: number,
    end: number | null,
    endSavedAt: number | null
  ): LeadResult {
    const { input } = state;
    const span = spans[k];
    const isLast = end === null;
    const asOf = isLast ? this.options.asOf : Math.min(this.options.asOf, end);
    const windowEnd = end ?? Infinity;
    const changeLimit = endSavedAt ?? Infinity;
    // sorted by time in `derive`
    const changes = state.changes;
    const initialOwner = changes[0]?.oldValue || input.ownerId;
    const openedAt = k === 0 ? input.createdAt : span.savedAt;
    let assignedAt: number | null = null;
    let rep: string | null = null;
    let startOwner = initialOwner;
    if (k > 0) for (const c of changes) if (c.at <= openedAt) startOwner = c.newValue;
    if (this.isAssignee(startOwner)) {
      // a re-engaged lead owned by an active rep is assigned at the engagement itself, unless the
      // owner changed in the same save (then that save is the assignment)
      let sameSave = false;
      if (k > 0) for (const c of changes) if (c.at === openedAt) sameSave = true;
      assignedAt = k === 0 ? input.createdAt : sameSave ? openedAt : span.start;
      rep = startOwner;
    } else {
      const after = k === 0 ? -Infinity : openedAt;
      for (const c of changes) {
        if (c.at > after && c.at < changeLimit && this.isAssignee(c.newValue)) {
          assignedAt = c.at;
          rep = c.newValue;
          break;
        }
      }
    }
    // time owned by a queue before assignment (or until asOf while unassigned)
    let queueWait = 0;
    let owner = startOwner;
    let since = openedAt;
    const until = assignedAt ?? asOf;
    for (let i = 0; i <= changes.length; i++) {
      const c = i < changes.length ? changes[i] : END_OF_CHANGES;
      if (c.at <= openedAt && k > 0) continue;
      const stop = Math.min(c.at, until);
      if (isQueueId(owner) && stop > since) queueWait += stop - since;
      if (c.at >= until) break;
      owner = c.newValue;
      since = c.at;
    }
    const touch = this.touchFrom(state, span.start, windowEnd);
    const touchAt = touch?.at ?? null;
    let reassignments = 0;
    if (assignedAt !== null) {
      let current = rep;
      for (const c of changes) {
        if (c.at <= assignedAt || c.at >= changeLimit || (touchAt !== null && c.at >= touchAt))
          continue;
        if (isUserId(c.newValue) && c.newValue !== current) {
          reassignments++;
          current = c.newValue;
        }
      }
    }
    // the current cycle is judged on the lead as it is; an earlier one on the lead as it was
    const ruleFields = isLast ? input.fields : this.fieldsAt(state, openedAt, true);
    const exclusionFields =
      endSavedAt === null ? input.fields : this.fieldsAt(state, endSavedAt, false);
    const rule = firstOf(ruleFields, this.slaRules);
    const calendar = this.calendarFor(rule);
    const exclusion = firstOf(exclusionFields, this.exclusionRules);
    const outcome = evaluateSla({
      rule: rule ?? null,
      calendar,
      assignedAt,
      firstTouchAt: touchAt,
      asOf,
      excludedReason: exclusion?.reason ?? null,
      convertedAt: isLast ? this.convertedAt(state) : null
    });
    const humanMs =
      assignedAt !== null && touchAt !== null ? Math.max(0, touchAt - assignedAt) : null;
    const businessMs =
      assignedAt !== null && touchAt !== null && touchAt > assignedAt
        ? calendar.diff(assignedAt, touchAt)
        : humanMs === null
          ? null
          : 0;
    const name = input.fields.Name ?? fullName(input.fields.FirstName, input.fields.LastName);
    const week = this.weekOf(span.start);
    const currentOwner = input.ownerId;
    // the source is what brought the lead in: LeadSource as it was at creation
    const sourceFields = this.fieldsAt(state, input.createdAt, true);
    return {
      id: input.id,
      cycleNumber: k + 1,
      cycleCount: spans.length,
      isCurrentCycle: isLast,
      closedReason: isLast
        ? null
        : touchAt !== null
          ? 'Touched'
          : outcome.status === 'Excluded'
            ? 'Excluded'
            : 'Superseded',
      likelyDuplicateOf: null,
      converted: isLast && truthy(input.fields.IsConverted),
      convertedOpportunityId: isLast
        ? (input.fields.ConvertedOpportunityId ?? '').trim() || null
        : null,
      name,
      company: input.fields.Company ?? '',
      source: (sourceFields.LeadSource ?? '').trim() || '(none)',
      status: input.fields.Status ?? '',
      createdAt: iso(input.createdAt) as string,
      engagementAt: iso(span.start) as string,
      engagementSource:
        k === 0
          ? state.engagementSource
          : (this.options.rules.settings.engagementSourceField ?? 'CreatedDate'),
      assignedAt: iso(assignedAt),
      accountableRepId: rep,
      accountableRep: this.userName(rep),
      firstTouchAt: iso(touchAt),
      firstTouchType: touch?.type ?? null,
      firstTouchBy: this.userName(touch?.by ?? null),
      systemsDelayMinutes: minutes(span.start, assignedAt),
      humanDelayMinutes: humanMs === null ? null : Math.round((humanMs / MINUTE) * 100) / 100,
      humanDelayBusinessMinutes:
        businessMs === null ? null : Math.round((businessMs / MINUTE) * 100) / 100,
      speedToLeadMinutes: minutes(span.start, touchAt),
      leadType: outcome.leadType,
      slaRule: outcome.rule,
      slaThresholdMinutes: outcome.thresholdMinutes,
      slaDueAt: iso(outcome.dueAt),
      slaStatus: outcome.status,
      slaMissedByMinutes: outcome.missedByMinutes,
      slaExcludedReason: outcome.excludedReason,
      queueWaitMinutes: Math.round((queueWait / MINUTE) * 100) / 100,
      reassignments,
      afterHours: !calendar.isWithin(span.start),
      week,
      currentOwner: this.userName(currentOwner) ?? currentOwner,
      currentOwnerType: isUserId(currentOwner)
        ? 'User'
        : isQueueId(currentOwner)
          ? 'Queue'
          : 'Unknown'
    };
  }

  /** Every cycle of a lead, the last one being the current cycle. */
  private derive(state: LeadState): LeadResult[] {
    if (state.changes.length > 1) state.changes.sort(byTime);
    const spans = this.cyclesOf(state);
    const last = spans.length - 1;
    const cycles: LeadResult[] = [];
    for (let k = 0; k < last; k++) {
      cycles.push(this.deriveCycle(state, spans, k, spans[k + 1].start, spans[k + 1].savedAt));
    }
    cycles.push(this.deriveCycle(state, spans, last, null, null));
    return cycles;
  }

  /**
   * Derives every cycle of every lead and builds the report. `onLead` sees each cycle (for the
   * per-cycle output), likely duplicates marked. The cycles are derived lead by lead and folded
   * into the figures as they come, so no lead's results are kept (but the slowest few and the
   * flagged ones); only the leads that share an email are derived first, to find the likely
   * duplicates that every figure leaves out.
   */
  finish(onLead?: (cycle: LeadResult) => void): AuditReport {
    const asOf = this.options.asOf;
    const { duplicates, duplicateOf } = this.findDuplicates();
    const all = new CycleGroup();
    const byLeadType = new Map<string, CycleGroup>();
    const byOwner = new Map<string, CycleGroup>();
    const bySource = new Map<string, CycleGroup>();
    const byWeekGroups = new Map<string, CycleGroup>();
    const nets: SafetyNets = {
      inQueueOver60Min: { count: 0, leads: [] },
      ownedByInactiveUser: { count: 0, leads: [] },
      untouchedOver24h: { count: 0, leads: [] },
      slaMissSpikes: [],
      systemsDelayCreep: []
    };
    const flag = (
      net: { count: number; leads: FlaggedLead[] },
      r: LeadResult,
      mins: number
    ): void => {
      net.count++;
      net.leads.push({ id: r.id, name: r.name, owner: r.currentOwner, minutes: Math.round(mins) });
      if (net.leads.length > KEEP_WHILE_STREAMING) net.leads = topFlagged(net.leads);
    };
    const accuracy = new AccuracyCheck(this.options.stampColumns ?? {});
    const slowestCount = this.options.slowestCount ?? 10;
    let slowest: LeadResult[] = [];
    let slowestBar = -Infinity;
    const counted = { cycles: 0, afterHours: 0, reassigned: 0, reassignments: 0, over60: 0 };
    const queueWait = new Series();
    const stlAfterHours = new Series();
    const stlInHours = new Series();
    const stlReassigned = new Series();
    const stlNotReassigned = new Series();
    let leadCount = 0;
    let cycleCount = 0;
    let assigned = 0;
    let touchedLeads = 0;
    let reEngaged = 0;
    let reEngagementCycles = 0;
    let ignored = 0;
    for (const state of this.leads.values()) {
      const seq = leadCount++;
      const cycles = this.derive(state);
      const dupOf = duplicateOf.get(state.input.id);
      if (dupOf !== undefined) cycles[0].likelyDuplicateOf = dupOf;
      let anyAssigned = false;
      let anyTouched = false;
      for (const r of cycles) {
        cycleCount++;
        onLead?.(r);
        if (r.assignedAt !== null) anyAssigned = true;
        if (r.firstTouchAt !== null) anyTouched = true;
        all.add(r, seq);
        groupOf(byLeadType, r.leadType ?? 'Not Applicable').add(r, seq);
        if (r.accountableRep !== null) groupOf(byOwner, r.accountableRep).add(r, seq);
        // a source brought the lead in: each lead counts once, by its first cycle
        if (r.cycleNumber === 1) groupOf(bySource, r.source).add(r, seq);
        groupOf(byWeekGroups, r.week).add(r, seq);
        // every cycle statistic leaves the likely duplicates' first cycles out
        if (r.likelyDuplicateOf !== null) continue;
        counted.cycles++;
        if (r.queueWaitMinutes > 0) {
          queueWait.push(r.queueWaitMinutes);
          if (r.queueWaitMinutes > 60) counted.over60++;
        }
        if (r.afterHours) counted.afterHours++;
        if (r.reassignments > 0) counted.reassigned++;
        counted.reassignments += r.reassignments;
        const stl = r.speedToLeadMinutes;
        if (stl === null) continue;
        (r.afterHours ? stlAfterHours : stlInHours).push(stl);
        (r.reassignments > 0 ? stlReassigned : stlNotReassigned).push(stl);
        // once the list is trimmed, a cycle no slower than its last one can never enter it (the
        // earlier of equals stays first)
        if (stl <= slowestBar) continue;
        slowest.push(r);
        if (slowest.length > KEEP_WHILE_STREAMING) {
          slowest = topSlowest(slowest, slowestCount);
          if (slowest.length === slowestCount && slowestCount > 0) {
            slowestBar = slowest[slowestCount - 1].speedToLeadMinutes as number;
          }
        }
      }
      if (anyAssigned) assigned++;
      if (anyTouched) touchedLeads++;
      if (cycles.length > 1) {
        reEngaged++;
        reEngagementCycles += cycles.length - 1;
      }
      ignored += state.ignored ?? 0;
      // the Lead's fields mirror the current cycle; the safety nets look at the open cycle
      const r = cycles[cycles.length - 1];
      const engagedAt = parseInstant(r.engagementAt) ?? Date.parse(r.engagementAt);
      accuracy.check(state.input, r);
      const open = !truthy(state.input.fields.IsConverted) && r.slaStatus !== 'Excluded';
      if (open && r.currentOwnerType === 'Queue') {
        const changes = state.changes;
        const enteredAt = changes.length ? changes[changes.length - 1].at : state.input.createdAt;
        const waited = (asOf - enteredAt) / MINUTE;
        if (waited > 60) flag(nets.inQueueOver60Min, r, waited);
      }
      const ownerUser = this.usersById.get(state.input.ownerId);
      if (open && ownerUser && !ownerUser.isActive) {
        flag(nets.ownedByInactiveUser, r, (asOf - engagedAt) / MINUTE);
      }
      if (open && r.firstTouchAt === null && asOf - engagedAt > 24 * 60 * MINUTE) {
        flag(nets.untouchedOver24h, r, (asOf - engagedAt) / MINUTE);
      }
    }
    for (const net of [nets.inQueueOver60Min, nets.ownedByInactiveUser, nets.untouchedOver24h]) {
      net.leads = topFlagged(net.leads);
    }
    const byWeek = groupStats(byWeekGroups).sort((a, b) => a.key.localeCompare(b.key));
    // a spike: the miss rate rises by more than 20% (relative) over the previous week; weeks with
    // fewer than MIN_DECIDED decided cycles are too small to judge
    for (let i = 1; i < byWeek.length; i++) {
      const prev = missRate(byWeek[i - 1].sla);
      const cur = missRate(byWeek[i].sla);
      if (prev === null || cur === null) continue;
      if (decided(byWeek[i - 1].sla) < MIN_DECIDED || decided(byWeek[i].sla) < MIN_DECIDED)
        continue;
      const spike = prev > 0 ? cur > prev * 1.2 : cur > 0.2;
      if (spike) {
        nets.slaMissSpikes.push({
          week: byWeek[i].key,
          missRate: r4(cur),
          previousMissRate: r4(prev)
        });
      }
    }
    const baseline = byWeek[0]?.systemsDelay.median ?? null;
    if (baseline !== null) {
      for (const w of byWeek.slice(1)) {
        if (w.systemsDelay.median !== null && w.systemsDelay.median > baseline + 3) {
          nets.systemsDelayCreep.push({
            week: w.key,
            medianMinutes: w.systemsDelay.median,
            baselineMinutes: baseline
          });
        }
      }
    }
    if (this.unknownOwners.size) {
      this.warnings.push(
        `${this.unknownOwners.size} owner Id(s) are not among the users (treated as active users): ${[...this.unknownOwners].slice(0, 5).join(', ')}${this.unknownOwners.size > 5 ? ', ...' : ''}`
      );
    }
    for (const m of this.missingCalendars) {
      this.warnings.push(
        `SLA rule business hours not found (${m}); the default business hours were used`
      );
    }
    const field = this.options.rules.settings.engagementSourceField ?? null;
    if (!field) {
      this.warnings.push(
        'no engagement source field in the rules (StlSetting EngagementSourceField__c): each lead is one engagement cycle, re-engagements cannot be seen'
      );
    } else if (!this.engagementHistorySeen && this.leads.size) {
      this.warnings.push(
        `no LeadHistory rows for the engagement source field ${field}: each lead is one engagement cycle (track the field's history to see re-engagements)`
      );
    }
    const median = (xs: Series): number | null => roundSummary(summarize(xs.values())).median;
    const overall = all.stats('');
    return {
      asOf: new Date(asOf).toISOString(),
      units: REPORT_UNITS,
      leads: leadCount,
      cycles: cycleCount,
      leadCounts: {
        assigned,
        touched: touchedLeads,
        unassigned: leadCount - assigned,
        untouched: leadCount - touchedLeads
      },
      reEngagement: {
        historyAvailable: field !== null && this.engagementHistorySeen,
        engagementField: field,
        leadsReEngaged: reEngaged,
        reEngagementCycles,
        ignoredReEngagements: ignored
      },
      likelyDuplicates: { count: duplicates.length, leads: duplicates.slice(0, 200) },
      systemsDelay: overall.systemsDelay,
      humanDelay: overall.humanDelay,
      humanDelayBusiness: overall.humanDelayBusiness,
      speedToLead: overall.speedToLead,
      sla: overall.sla,
      byLeadType: groupStats(byLeadType),
      byOwner: groupStats(byOwner),
      bySource: groupStats(bySource),
      byWeek,
      slowest: topSlowest(slowest, slowestCount),
      bottlenecks: {
        queueWait: {
          leads: queueWait.length,
          minutes: roundSummary(summarize(queueWait.values())),
          over60Min: counted.over60
        },
        afterHours: {
          leads: counted.afterHours,
          share: counted.cycles ? r4(counted.afterHours / counted.cycles) : null,
          speedToLeadMedianAfterHours: median(stlAfterHours),
          speedToLeadMedianInHours: median(stlInHours)
        },
        reassignments: {
          leads: counted.reassigned,
          total: counted.reassignments,
          speedToLeadMedianReassigned: median(stlReassigned),
          speedToLeadMedianNotReassigned: median(stlNotReassigned)
        }
      },
      safetyNets: nets,
      accuracy: accuracy.result()
    };
  }

  /**
   * Likely duplicates: a lead whose Email (trimmed, case ignored) is the Email of a lead created
   * earlier whose SLA was Pending at the moment the second one was created: that lead's cycle then
   * had an SLA rule, was not excluded, had no touch yet, was not converted, and was not yet due
   * (or not yet assigned). The second lead's first cycle is marked `likelyDuplicateOf`.
   *
   * Only the leads that share an email are derived here (quietly: the warnings follow the lead
   * order of `finish`); a 32-bit hash of every email, sorted, finds them without a map of every
   * email.
   */
  private findDuplicates(): { duplicates: LikelyDuplicate[]; duplicateOf: Map<string, string> } {
    const states = [...this.leads.values()];
    const emailOf = (s: LeadState): string => (s.input.fields.Email ?? '').trim().toLowerCase();
    const hashes = new Uint32Array(states.length);
    for (let i = 0; i < states.length; i++) hashes[i] = hashText(emailOf(states[i]));
    const sorted = hashes.slice().sort();
    const shared = new Set<number>();
    for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) shared.add(sorted[i]);
    const byEmail = new Map<string, { state: LeadState; cycles: LeadResult[] }[]>();
    for (let i = 0; i < states.length; i++) {
      if (!shared.has(hashes[i])) continue;
      const email = emailOf(states[i]);
      if (!email) continue;
      const list = byEmail.get(email);
      const entry = { state: states[i], cycles: NONE as LeadResult[] };
      if (list) list.push(entry);
      else byEmail.set(email, [entry]);
    }
    const out: LikelyDuplicate[] = [];
    const duplicateOf = new Map<string, string>();
    this.quiet = true;
    try {
      for (const list of byEmail.values()) {
        if (list.length < 2) continue;
        for (const entry of list) {
          const ignored = entry.state.ignored;
          entry.cycles = this.derive(entry.state);
          entry.state.ignored = ignored;
        }
        list.sort(
          (a, b) =>
            a.state.input.createdAt - b.state.input.createdAt ||
            a.state.input.id.localeCompare(b.state.input.id)
        );
        for (let j = 1; j < list.length; j++) {
          const arrived = list[j].state.input.createdAt;
          const open = list
            .slice(0, j)
            .find((e) => e.state.input.createdAt < arrived && this.pendingAt(e, arrived));
          if (!open) continue;
          const first = list[j].cycles[0];
          duplicateOf.set(first.id, open.state.input.id);
          out.push({
            id: first.id,
            name: first.name,
            createdAt: first.createdAt,
            duplicateOf: open.state.input.id,
            duplicateOfName: open.cycles[0].name
          });
        }
        // let the cycles die young: results kept until every email is done would make V8 expect
        // results to live long and allocate all of them, in `finish` too, in the old generation
        for (const entry of list) entry.cycles = NONE;
      }
    } finally {
      this.quiet = false;
    }
    out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    return { duplicates: out, duplicateOf };
  }

  private pendingAt(entry: { state: LeadState; cycles: LeadResult[] }, t: number): boolean {
    const { cycles } = entry;
    let cycle: LeadResult | undefined;
    for (const c of cycles) if (Date.parse(c.engagementAt) <= t) cycle = c;
    cycle ??= cycles[0];
    if (cycle.slaRule === null || cycle.slaStatus === 'Excluded') return false;
    if (cycle.firstTouchAt !== null && Date.parse(cycle.firstTouchAt) <= t) return false;
    const converted = this.convertedAt(entry.state);
    if (converted !== null && converted <= t) return false;
    return cycle.slaDueAt === null || Date.parse(cycle.slaDueAt) > t;
  }
}

/** Whether an activity at `at` would be the first touch from one of these cycle starts. */
function improves(slots: readonly TouchSlot[], at: number): boolean {
  for (const slot of slots) if (at >= slot.start && at < slot.at) return true;
  return false;
}

/** FNV-1a over the UTF-16 code units: equal texts, equal hashes. */
function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** How many slowest or flagged candidates to hold before trimming them to the ones listed. */
const KEEP_WHILE_STREAMING = 4096;

/**
 * The slowest cycles first; among equals the earlier one (a stable sort), so trimming while
 * streaming and sorting once at the end list the same cycles.
 */
const topSlowest = (rows: LeadResult[], n: number): LeadResult[] =>
  rows
    .sort((a, b) => (b.speedToLeadMinutes as number) - (a.speedToLeadMinutes as number))
    .slice(0, n);
const topFlagged = (leads: FlaggedLead[]): FlaggedLead[] =>
  leads.sort((a, b) => b.minutes - a.minutes).slice(0, 25);

/** A growing list of numbers in a Float64Array. */
class Series {
  private data = new Float64Array(16);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }
  values(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

/** The figures of one group of cycles, folded in cycle by cycle (cycles of a lead together). */
class CycleGroup {
  cycles = 0;
  leads = 0;
  private lastLead = -1;
  private readonly systems = new Series();
  private readonly human = new Series();
  private readonly business = new Series();
  private readonly speed = new Series();
  private readonly sla = new SlaCounter();

  add(r: LeadResult, leadSeq: number): void {
    this.cycles++;
    if (leadSeq !== this.lastLead) {
      this.leads++;
      this.lastLead = leadSeq;
    }
    this.sla.add(r);
    // the delays leave the likely duplicates' first cycles out
    if (r.likelyDuplicateOf !== null) return;
    if (r.systemsDelayMinutes !== null) this.systems.push(r.systemsDelayMinutes);
    if (r.humanDelayMinutes !== null) this.human.push(r.humanDelayMinutes);
    if (r.humanDelayBusinessMinutes !== null) this.business.push(r.humanDelayBusinessMinutes);
    if (r.speedToLeadMinutes !== null) this.speed.push(r.speedToLeadMinutes);
  }

  stats(key: string): GroupStats {
    return {
      key,
      leads: this.leads,
      cycles: this.cycles,
      systemsDelay: roundSummary(summarize(this.systems.values())),
      humanDelay: roundSummary(summarize(this.human.values())),
      humanDelayBusiness: roundSummary(summarize(this.business.values())),
      speedToLead: roundSummary(summarize(this.speed.values())),
      sla: this.sla.counts()
    };
  }
}

function groupOf(groups: Map<string, CycleGroup>, key: string): CycleGroup {
  let g = groups.get(key);
  if (!g) groups.set(key, (g = new CycleGroup()));
  return g;
}

/** The groups' figures, the largest group first (then by key). */
function groupStats(groups: Map<string, CycleGroup>): GroupStats[] {
  return [...groups.entries()]
    .map(([k, g]) => g.stats(k))
    .sort((a, b) => b.cycles - a.cycles || a.key.localeCompare(b.key));
}

const r4 = (v: number): number => Math.round(v * 10_000) / 10_000;

const MIN_DECIDED = 20;
const decided = (s: SlaCounts): number => s.hit + s.missed;

function missRate(s: SlaCounts): number | null {
  const decided = s.hit + s.missed;
  return decided ? s.missed / decided : null;
}

type SlaCountable = {
  slaStatus: SlaStatus;
  closedReason?: string | null;
  likelyDuplicateOf?: string | null;
};

/** SLA counts folded in one cycle at a time (see `slaCounts`). */
class SlaCounter {
  private hit = 0;
  private missed = 0;
  private pending = 0;
  private excluded = 0;
  private notApplicable = 0;
  private superseded = 0;
  private duplicates = 0;

  add(r: SlaCountable): void {
    if (r.likelyDuplicateOf) this.duplicates++;
    else if (r.slaStatus === 'Pending' && r.closedReason === 'Superseded') this.superseded++;
    else if (r.slaStatus === 'Hit') this.hit++;
    else if (r.slaStatus === 'Missed') this.missed++;
    else if (r.slaStatus === 'Pending') this.pending++;
    else if (r.slaStatus === 'Excluded') this.excluded++;
    else this.notApplicable++;
  }

  counts(): SlaCounts {
    const decided = this.hit + this.missed;
    return {
      hit: this.hit,
      missed: this.missed,
      pending: this.pending,
      excluded: this.excluded,
      notApplicable: this.notApplicable,
      superseded: this.superseded,
      duplicates: this.duplicates,
      hitRate: decided ? r4(this.hit / decided) : null
    };
  }
}

/**
 * SLA counts over cycles. A likely duplicate's first cycle counts only as `duplicates`; an earlier
 * cycle a re-engagement closed while still Pending counts as `superseded` (never decided).
 */
export function slaCounts(rows: readonly SlaCountable[]): SlaCounts {
  const counter = new SlaCounter();
  for (const r of rows) counter.add(r);
  return counter.counts();
}

/** Parses an exported date-time (ISO 8601 with Z or offset; no zone = UTC); null when not one. */
export function parseInstant(raw: string): number | null {
  // the exported shape first, without trimming
  if (raw.length === 24) {
    const ms = parseUtcMillisIso(raw);
    if (ms !== null) return ms;
  }
  const s = raw.trim();
  if (!s) return null;
  const m =
    /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)\s*(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(
      s
    );
  if (!m) return null;
  const zone = m[3]
    ? m[3].toUpperCase() === 'Z'
      ? 'Z'
      : m[3].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')
    : 'Z';
  const ms = Date.parse(`${m[1]}T${m[2] ?? '00:00:00'}${zone}`);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * The common shape of exported date-times, `2026-04-24T19:40:10.000Z`, read digit by digit (the
 * audit parses millions); null for anything else, which then takes the general path. Gives what
 * Date.parse gives for the same text (a day past the month's end rolls over, as it does there).
 */
export function parseUtcMillisIso(s: string): number | null {
  if (
    s.charCodeAt(4) !== 45 || // -
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 || // T
    s.charCodeAt(13) !== 58 || // :
    s.charCodeAt(16) !== 58 ||
    s.charCodeAt(19) !== 46 || // .
    s.charCodeAt(23) !== 90 // Z
  ) {
    return null;
  }
  const year = digit(s, 0) * 1000 + digit(s, 1) * 100 + digit(s, 2) * 10 + digit(s, 3);
  const month = digit(s, 5) * 10 + digit(s, 6);
  const day = digit(s, 8) * 10 + digit(s, 9);
  const hour = digit(s, 11) * 10 + digit(s, 12);
  const minute = digit(s, 14) * 10 + digit(s, 15);
  const second = digit(s, 17) * 10 + digit(s, 18);
  const milli = digit(s, 20) * 100 + digit(s, 21) * 10 + digit(s, 22);
  // a non-digit reads as 100,000, which makes every field below out of range
  if (
    year < 1000 ||
    year > 9999 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31 ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    milli > 999
  ) {
    return null;
  }
  return (
    daysFromCivil(year, month, day) * DAY + ((hour * 60 + minute) * 60 + second) * 1000 + milli
  );
}

/** One decimal digit of s at i; anything else gives 100 (out of range for every field). */
function digit(s: string, i: number): number {
  const d = s.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : 100_000;
}

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (day may pass the month). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

class AccuracyCheck {
  private leadsChecked = 0;
  private leadsMatching = 0;
  private count = 0;
  private readonly mismatches: AccuracyResult['mismatches'] = [];
  private readonly cols: [StampField, string][];
  constructor(private readonly columns: Partial<Record<StampField, string>>) {
    this.cols = Object.entries(columns) as [StampField, string][];
  }

  check(input: AuditLeadInput, r: LeadResult): void {
    const { cols } = this;
    if (!cols.length) return;
    // only leads the package has seen carry stamps
    if (!cols.some(([, col]) => (input.fields[col] ?? '').trim() !== '')) return;
    this.leadsChecked++;
    let ok = true;
    for (const [field, col] of cols) {
      const stamped = (input.fields[col] ?? '').trim();
      const recomputed = recomputedValue(field, r);
      if (!agrees(field, stamped, recomputed)) {
        ok = false;
        this.count++;
        if (this.mismatches.length < 200) {
          this.mismatches.push({ leadId: r.id, field: col, stamped, recomputed: recomputed ?? '' });
        }
      }
    }
    if (ok) this.leadsMatching++;
  }

  result(): AccuracyResult {
    const fields = Object.values(this.columns) as string[];
    return {
      available: fields.length > 0,
      fieldsChecked: fields,
      leadsChecked: this.leadsChecked,
      mismatchCount: this.count,
      matchRate: this.leadsChecked ? r4(this.leadsMatching / this.leadsChecked) : null,
      mismatches: this.mismatches
    };
  }
}

function recomputedValue(field: StampField, r: LeadResult): string | null {
  switch (field) {
    case 'EngagementAt__c':
      return r.engagementAt;
    case 'AssignedAt__c':
      return r.assignedAt;
    case 'FirstTouchAt__c':
      return r.firstTouchAt;
    case 'SystemsDelayMinutes__c':
      return r.systemsDelayMinutes === null ? null : String(r.systemsDelayMinutes);
    case 'HumanDelayMinutes__c':
      return r.humanDelayMinutes === null ? null : String(r.humanDelayMinutes);
    case 'HumanDelayBusinessMinutes__c':
      return r.humanDelayBusinessMinutes === null ? null : String(r.humanDelayBusinessMinutes);
    case 'SpeedToLeadMinutes__c':
      return r.speedToLeadMinutes === null ? null : String(r.speedToLeadMinutes);
    case 'LeadType__c':
      return r.leadType;
    case 'SlaStatus__c':
      return r.slaStatus;
    case 'SlaDueAt__c':
      return r.slaDueAt;
  }
}

/** Timestamps agree within a minute (stamps are written by triggers a moment later), minutes within 0.1. */
function agrees(field: StampField, stamped: string, recomputed: string | null): boolean {
  if (!stamped || recomputed === null || recomputed === '') {
    return !stamped && (recomputed === null || recomputed === '');
  }
  if (field.endsWith('At__c')) {
    const a = parseInstant(stamped);
    const b = parseInstant(recomputed);
    return a !== null && b !== null && Math.abs(a - b) <= MINUTE;
  }
  if (field.endsWith('Minutes__c')) return Math.abs(Number(stamped) - Number(recomputed)) <= 0.1;
  return stamped.toLowerCase() === recomputed.toLowerCase();
}
