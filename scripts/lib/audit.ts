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
  evaluateSla,
  fieldValue,
  matchesCriteria,
  matchExclusion,
  matchSlaRule,
  matchTouchRule,
  type RuleSet,
  type SlaRule,
  type SlaStatus
} from './sla.ts';
import { roundSummary, summarize, type Summary } from './stats.ts';

const MINUTE = 60_000;

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

interface LeadState {
  input: AuditLeadInput;
  /** the engagement of the first cycle (the current field value when there is no history) */
  engagementAt: number;
  engagementSource: string;
  changes: OwnerChange[];
  /** history of fields other than the owner, in the order added */
  fieldChanges: FieldChange[];
  /** the writes of the engagement source field: save time and the engagement time written */
  engagementWrites: { at: number; value: number }[];
  /** every moment a cycle could start: the first touch at or after each one */
  touchesFrom: Map<number, Touch | null>;
  /** later engagement times that did not start a cycle */
  ignored?: number;
}

/** One cycle while deriving: its engagement and the save that started it. */
interface CycleSpan {
  start: number;
  savedAt: number;
}

const HOUR = 60 * 60_000;
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
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
  /** ISO week keys by hour of UTC time (see weekOf) */
  private readonly weekKeys = new Map<number, string>();

  constructor(private options: AuditOptions) {
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

  addLead(lead: AuditLeadInput): void {
    const field = this.options.rules.settings.engagementSourceField;
    let engagementAt = lead.createdAt;
    let engagementSource = 'CreatedDate';
    if (field) {
      const raw = fieldValue(lead.fields, field);
      const parsed = typeof raw === 'string' && raw.trim() ? parseInstant(raw) : null;
      if (parsed !== null) {
        engagementAt = parsed;
        engagementSource = field;
      }
    }
    this.leads.set(lead.id, {
      input: lead,
      engagementAt,
      engagementSource,
      changes: [],
      fieldChanges: [],
      engagementWrites: [],
      touchesFrom: new Map()
    });
  }

  /** False when the change names a lead that is not in the export. */
  addOwnerChange(change: OwnerChange): boolean {
    const lead = this.leads.get(change.leadId);
    if (!lead) return false;
    lead.changes.push(change);
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
    lead.fieldChanges.push(change);
    if (this.isEngagementField(change.field)) {
      this.engagementHistorySeen = true;
      const value = parseInstant(change.newValue);
      if (lead.engagementWrites.length === 0 || change.at < lead.engagementWrites[0].at) {
        // the value before the first write is the first cycle's engagement (blank: CreatedDate)
        const before = parseInstant(change.oldValue);
        lead.engagementAt = before ?? lead.input.createdAt;
        lead.engagementSource = before === null ? 'CreatedDate' : (change.field as string);
      }
      if (value !== null) lead.engagementWrites.push({ at: change.at, value });
    }
    return true;
  }

  private isEngagementField(field: string): boolean {
    const configured = this.options.rules.settings.engagementSourceField;
    if (!configured) return false;
    const plain = (f: string): string =>
      f
        .trim()
        .toLowerCase()
        .replace(/^stlead__/, '');
    return plain(field) === plain(configured);
  }

  /** Keeps the first qualifying touch from every possible cycle start; false when the lead is unknown. */
  addActivity(activity: ActivityInput): boolean {
    const lead = this.leads.get(activity.whoId);
    if (!lead) return false;
    if (!this.activitiesStarted) this.startActivities();
    if (lead.touchesFrom.size === 0) this.candidateStarts(lead);
    let earliest = Infinity;
    for (const start of lead.touchesFrom.keys()) earliest = Math.min(earliest, start);
    if (activity.at < earliest) return true;
    if (!this.countsAsHuman(activity)) return true;
    const rule = matchTouchRule(activity.object, activity.fields, this.options.rules.touchRules);
    if (!rule) return true;
    for (const [start, touch] of lead.touchesFrom) {
      if (activity.at < start || (touch && touch.at <= activity.at)) continue;
      lead.touchesFrom.set(start, { at: activity.at, type: rule.touchType, by: activity.ownerId });
    }
    return true;
  }

  private startActivities(): void {
    this.activitiesStarted = true;
  }

  /** The first engagement and every engagement time the field's history wrote. */
  private candidateStarts(lead: LeadState): void {
    lead.touchesFrom.set(lead.engagementAt, lead.touchesFrom.get(lead.engagementAt) ?? null);
    for (const w of lead.engagementWrites) {
      if (!lead.touchesFrom.has(w.value)) lead.touchesFrom.set(w.value, null);
    }
  }

  /**
   * The ISO week (`2026-W03`) of an instant in the default business hours' zone, remembered per
   * hour of UTC time when both ends of that hour fall in the same week (always, except for the
   * hour holding a week boundary in a zone whose offset is not whole hours).
   */
  private weekOf(ms: number): string {
    const bucket = Math.floor(ms / HOUR);
    const known = this.weekKeys.get(bucket);
    if (known !== undefined) return known;
    const key = (t: number): string =>
      DateTime.fromMillis(t, { zone: this.weekZone }).toFormat("kkkk-'W'WW");
    const first = key(bucket * HOUR);
    if (first !== key((bucket + 1) * HOUR - 1)) return key(ms);
    if (this.weekKeys.size > 100_000) this.weekKeys.clear();
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
      this.unknownOwners.add(id);
      return true;
    }
    return user.isActive;
  }

  private calendarFor(rule: SlaRule | undefined): BusinessCalendar {
    if (!rule?.businessHoursName) return this.defaultCalendar;
    const cal = this.calendarsByName.get(rule.businessHoursName.toLowerCase());
    if (!cal) {
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
    if (state.touchesFrom.size === 0) this.candidateStarts(state);
    const t = state.touchesFrom.get(start) ?? null;
    return t && t.at < end ? t : null;
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
    const converted = this.convertedAt(state);
    const writes = [...state.engagementWrites].sort((a, b) => a.at - b.at);
    const active = this.options.rules.slaRules.filter((r) => r.isActive);
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
      const handRaiser = active.some((r) => r.isHandRaiser && matchesCriteria(fields, r.criteria));
      const anyRule = handRaiser || active.some((r) => matchesCriteria(fields, r.criteria));
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
    const changes = state.changes.sort((a, b) => a.at - b.at);
    const initialOwner = changes[0]?.oldValue || input.ownerId;
    const ownerAt = (t: number): string => {
      let owner = initialOwner;
      for (const c of changes) if (c.at <= t) owner = c.newValue;
      return owner;
    };
    const openedAt = k === 0 ? input.createdAt : span.savedAt;
    let assignedAt: number | null = null;
    let rep: string | null = null;
    const startOwner = k === 0 ? initialOwner : ownerAt(openedAt);
    if (this.isAssignee(startOwner)) {
      // a re-engaged lead owned by an active rep is assigned at the engagement itself, unless the
      // owner changed in the same save (then that save is the assignment)
      const sameSave = k > 0 && changes.some((c) => c.at === openedAt);
      assignedAt = k === 0 ? input.createdAt : sameSave ? openedAt : span.start;
      rep = startOwner;
    } else {
      const first = changes.find(
        (c) =>
          c.at > (k === 0 ? -Infinity : openedAt) &&
          c.at < changeLimit &&
          this.isAssignee(c.newValue)
      );
      if (first) {
        assignedAt = first.at;
        rep = first.newValue;
      }
    }
    // time owned by a queue before assignment (or until asOf while unassigned)
    let queueWait = 0;
    let owner = startOwner;
    let since = openedAt;
    const until = assignedAt ?? asOf;
    for (const c of [...changes, { at: Infinity, newValue: '', oldValue: '', leadId: '' }]) {
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
    const rule = matchSlaRule(ruleFields, this.options.rules.slaRules);
    const calendar = this.calendarFor(rule);
    const exclusion = matchExclusion(exclusionFields, this.options.rules.exclusionRules);
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
    const name =
      input.fields.Name ??
      [input.fields.FirstName, input.fields.LastName].filter(Boolean).join(' ');
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
    const spans = this.cyclesOf(state);
    return spans.map((_, k) =>
      k === spans.length - 1
        ? this.deriveCycle(state, spans, k, null, null)
        : this.deriveCycle(state, spans, k, spans[k + 1].start, spans[k + 1].savedAt)
    );
  }

  /**
   * Derives every cycle of every lead and builds the report. `onLead` sees each cycle (for the
   * per-cycle output), likely duplicates marked.
   */
  finish(onLead?: (cycle: LeadResult) => void): AuditReport {
    const asOf = this.options.asOf;
    const perLead: { state: LeadState; cycles: LeadResult[] }[] = [];
    for (const state of this.leads.values()) perLead.push({ state, cycles: this.derive(state) });
    const duplicates = this.findDuplicates(perLead);
    const results: LeadResult[] = [];
    for (const { cycles } of perLead) {
      for (const c of cycles) {
        results.push(c);
        onLead?.(c);
      }
    }
    // every cycle statistic leaves the likely duplicates' first cycles out
    const counted = results.filter((r) => r.likelyDuplicateOf === null);
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
    };
    const accuracy = new AccuracyCheck(this.options.stampColumns ?? {});
    for (const { state, cycles } of perLead) {
      // the Lead's fields mirror the current cycle; the safety nets look at the open cycle
      const r = cycles[cycles.length - 1];
      const engagedAt = Date.parse(r.engagementAt);
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
      net.leads.sort((a, b) => b.minutes - a.minutes);
      net.leads = net.leads.slice(0, 25);
    }
    const byWeek = groupBy(results, (r) => r.week).sort((a, b) => a.key.localeCompare(b.key));
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
    const touched = counted.filter((r) => r.speedToLeadMinutes !== null);
    const median = (xs: LeadResult[]): number | null =>
      roundSummary(summarize(xs.map((r) => r.speedToLeadMinutes as number))).median;
    const queued = counted.filter((r) => r.queueWaitMinutes > 0);
    const after = touched.filter((r) => r.afterHours);
    const reassigned = touched.filter((r) => r.reassignments > 0);
    const slowest = [...touched]
      .sort((a, b) => (b.speedToLeadMinutes as number) - (a.speedToLeadMinutes as number))
      .slice(0, this.options.slowestCount ?? 10);
    const anyCycle = (p: (r: LeadResult) => boolean): number =>
      perLead.filter(({ cycles }) => cycles.some(p)).length;
    const reEngaged = perLead.filter(({ cycles }) => cycles.length > 1);
    return {
      asOf: new Date(asOf).toISOString(),
      units: REPORT_UNITS,
      leads: perLead.length,
      cycles: results.length,
      leadCounts: {
        assigned: anyCycle((r) => r.assignedAt !== null),
        touched: anyCycle((r) => r.firstTouchAt !== null),
        unassigned: perLead.length - anyCycle((r) => r.assignedAt !== null),
        untouched: perLead.length - anyCycle((r) => r.firstTouchAt !== null)
      },
      reEngagement: {
        historyAvailable: field !== null && this.engagementHistorySeen,
        engagementField: field,
        leadsReEngaged: reEngaged.length,
        reEngagementCycles: reEngaged.reduce((s, { cycles }) => s + cycles.length - 1, 0),
        ignoredReEngagements: perLead.reduce((s, { state }) => s + (state.ignored ?? 0), 0)
      },
      likelyDuplicates: { count: duplicates.length, leads: duplicates.slice(0, 200) },
      ...delayStats(counted),
      sla: slaCounts(results),
      byLeadType: groupBy(results, (r) => r.leadType ?? 'Not Applicable'),
      byOwner: groupBy(
        results.filter((r) => r.accountableRep !== null),
        (r) => r.accountableRep as string
      ),
      // a source brought the lead in: each lead counts once, by its first cycle
      bySource: groupBy(
        results.filter((r) => r.cycleNumber === 1),
        (r) => r.source
      ),
      byWeek,
      slowest,
      bottlenecks: {
        queueWait: {
          leads: queued.length,
          minutes: roundSummary(summarize(queued.map((r) => r.queueWaitMinutes))),
          over60Min: queued.filter((r) => r.queueWaitMinutes > 60).length
        },
        afterHours: {
          leads: counted.filter((r) => r.afterHours).length,
          share: counted.length
            ? r4(counted.filter((r) => r.afterHours).length / counted.length)
            : null,
          speedToLeadMedianAfterHours: median(after),
          speedToLeadMedianInHours: median(touched.filter((r) => !r.afterHours))
        },
        reassignments: {
          leads: counted.filter((r) => r.reassignments > 0).length,
          total: counted.reduce((s, r) => s + r.reassignments, 0),
          speedToLeadMedianReassigned: median(reassigned),
          speedToLeadMedianNotReassigned: median(touched.filter((r) => r.reassignments === 0))
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
   */
  private findDuplicates(perLead: { state: LeadState; cycles: LeadResult[] }[]): LikelyDuplicate[] {
    const byEmail = new Map<string, { state: LeadState; cycles: LeadResult[] }[]>();
    for (const entry of perLead) {
      const email = (entry.state.input.fields.Email ?? '').trim().toLowerCase();
      if (!email) continue;
      const list = byEmail.get(email);
      if (list) list.push(entry);
      else byEmail.set(email, [entry]);
    }
    const out: LikelyDuplicate[] = [];
    for (const list of byEmail.values()) {
      if (list.length < 2) continue;
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
        first.likelyDuplicateOf = open.state.input.id;
        out.push({
          id: first.id,
          name: first.name,
          createdAt: first.createdAt,
          duplicateOf: open.state.input.id,
          duplicateOfName: open.cycles[0].name
        });
      }
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
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

const r4 = (v: number): number => Math.round(v * 10_000) / 10_000;

const MIN_DECIDED = 20;
const decided = (s: SlaCounts): number => s.hit + s.missed;

function missRate(s: SlaCounts): number | null {
  const decided = s.hit + s.missed;
  return decided ? s.missed / decided : null;
}

function delayStats(
  rows: LeadResult[]
): Pick<GroupStats, 'systemsDelay' | 'humanDelay' | 'humanDelayBusiness' | 'speedToLead'> {
  const pick = (f: (r: LeadResult) => number | null): Summary =>
    roundSummary(summarize(rows.map(f).filter((v): v is number => v !== null)));
  return {
    systemsDelay: pick((r) => r.systemsDelayMinutes),
    humanDelay: pick((r) => r.humanDelayMinutes),
    humanDelayBusiness: pick((r) => r.humanDelayBusinessMinutes),
    speedToLead: pick((r) => r.speedToLeadMinutes)
  };
}

/**
 * SLA counts over cycles. A likely duplicate's first cycle counts only as `duplicates`; an earlier
 * cycle a re-engagement closed while still Pending counts as `superseded` (never decided).
 */
export function slaCounts(
  rows: readonly {
    slaStatus: SlaStatus;
    closedReason?: string | null;
    likelyDuplicateOf?: string | null;
  }[]
): SlaCounts {
  const c = {
    hit: 0,
    missed: 0,
    pending: 0,
    excluded: 0,
    notApplicable: 0,
    superseded: 0,
    duplicates: 0
  };
  for (const r of rows) {
    if (r.likelyDuplicateOf) c.duplicates++;
    else if (r.slaStatus === 'Pending' && r.closedReason === 'Superseded') c.superseded++;
    else if (r.slaStatus === 'Hit') c.hit++;
    else if (r.slaStatus === 'Missed') c.missed++;
    else if (r.slaStatus === 'Pending') c.pending++;
    else if (r.slaStatus === 'Excluded') c.excluded++;
    else c.notApplicable++;
  }
  const decided = c.hit + c.missed;
  return { ...c, hitRate: decided ? r4(c.hit / decided) : null };
}

function groupBy(rows: LeadResult[], key: (r: LeadResult) => string): GroupStats[] {
  const groups = new Map<string, LeadResult[]>();
  for (const r of rows) {
    const k = key(r);
    const list = groups.get(k);
    if (list) list.push(r);
    else groups.set(k, [r]);
  }
  return [...groups.entries()]
    .map(([k, list]) => ({
      key: k,
      leads: new Set(list.map((r) => r.id)).size,
      cycles: list.length,
      ...delayStats(list.filter((r) => r.likelyDuplicateOf === null)),
      sla: slaCounts(list)
    }))
    .sort((a, b) => b.cycles - a.cycles || a.key.localeCompare(b.key));
}

/** Parses an exported date-time (ISO 8601 with Z or offset; no zone = UTC); null when not one. */
export function parseInstant(raw: string): number | null {
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

class AccuracyCheck {
  private leadsChecked = 0;
  private leadsMatching = 0;
  private count = 0;
  private readonly mismatches: AccuracyResult['mismatches'] = [];
  constructor(private readonly columns: Partial<Record<StampField, string>>) {}

  check(input: AuditLeadInput, r: LeadResult): void {
    const cols = Object.entries(this.columns) as [StampField, string][];
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
