/**
 * The audit engine: derives, per lead, engagement, assignment, first touch, delays, lead type and
 * SLA outcome (docs/DATA-MODEL.md definitions), then the report: statistics by source, lead type,
 * owner and ISO week, SLA hit rates, the slowest leads, bottlenecks, safety nets and, where the
 * package's stamps exist, a data-accuracy check. Pure: the caller feeds records (from CSV files or
 * an org) in the order leads, owner changes, activities; activities are reduced as they arrive, so
 * memory does not grow with the number of activities.
 */
import { DateTime } from 'luxon';
import { BusinessCalendar } from './business-time.ts';
import {
  evaluateSla,
  fieldValue,
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

export interface LeadResult {
  id: string;
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
  /** hit / (hit + missed), null when nothing was decided */
  hitRate: number | null;
}

export interface GroupStats {
  key: string;
  leads: number;
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

export interface AuditReport {
  asOf: string;
  leads: number;
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

interface LeadState {
  input: AuditLeadInput;
  engagementAt: number;
  engagementSource: string;
  changes: OwnerChange[];
  touchAt: number | null;
  touchType: string | null;
  touchBy: string | null;
}

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
      touchAt: null,
      touchType: null,
      touchBy: null
    });
  }

  /** False when the change names a lead that is not in the export. */
  addOwnerChange(change: OwnerChange): boolean {
    const lead = this.leads.get(change.leadId);
    if (!lead) return false;
    lead.changes.push(change);
    return true;
  }

  /** Keeps the first qualifying touch per lead; false when the activity's lead is unknown. */
  addActivity(activity: ActivityInput): boolean {
    const lead = this.leads.get(activity.whoId);
    if (!lead) return false;
    if (activity.at < lead.engagementAt) return true;
    if (lead.touchAt !== null && lead.touchAt <= activity.at) return true;
    if (!this.countsAsHuman(activity)) return true;
    const rule = matchTouchRule(activity.object, activity.fields, this.options.rules.touchRules);
    if (!rule) return true;
    lead.touchAt = activity.at;
    lead.touchType = rule.touchType;
    lead.touchBy = activity.ownerId;
    return true;
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

  private derive(state: LeadState): LeadResult {
    const { input } = state;
    const asOf = this.options.asOf;
    const changes = state.changes.sort((a, b) => a.at - b.at);
    const initialOwner = changes[0]?.oldValue || input.ownerId;
    let assignedAt: number | null = null;
    let rep: string | null = null;
    if (this.isAssignee(initialOwner)) {
      assignedAt = input.createdAt;
      rep = initialOwner;
    } else {
      const first = changes.find((c) => this.isAssignee(c.newValue));
      if (first) {
        assignedAt = first.at;
        rep = first.newValue;
      }
    }
    // time owned by a queue before assignment (or until asOf while unassigned)
    let queueWait = 0;
    let owner = initialOwner;
    let since = input.createdAt;
    const until = assignedAt ?? asOf;
    for (const c of [...changes, { at: Infinity, newValue: '', oldValue: '', leadId: '' }]) {
      const end = Math.min(c.at, until);
      if (isQueueId(owner) && end > since) queueWait += end - since;
      if (c.at >= until) break;
      owner = c.newValue;
      since = c.at;
    }
    const touchAt = state.touchAt;
    let reassignments = 0;
    if (assignedAt !== null) {
      let current = rep;
      for (const c of changes) {
        if (c.at <= assignedAt || (touchAt !== null && c.at >= touchAt)) continue;
        if (isUserId(c.newValue) && c.newValue !== current) {
          reassignments++;
          current = c.newValue;
        }
      }
    }
    const rule = matchSlaRule(input.fields, this.options.rules.slaRules);
    const calendar = this.calendarFor(rule);
    const exclusion = matchExclusion(input.fields, this.options.rules.exclusionRules);
    const convertedAt = truthy(input.fields.IsConverted)
      ? (parseInstant(input.fields.ConvertedDate ?? '') ?? asOf)
      : null;
    const outcome = evaluateSla({
      rule: rule ?? null,
      calendar,
      assignedAt,
      firstTouchAt: touchAt,
      asOf,
      excludedReason: exclusion?.reason ?? null,
      convertedAt
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
    const week = DateTime.fromMillis(state.engagementAt, { zone: this.weekZone }).toFormat(
      "kkkk-'W'WW"
    );
    const currentOwner = input.ownerId;
    return {
      id: input.id,
      name,
      company: input.fields.Company ?? '',
      source: (input.fields.LeadSource ?? '').trim() || '(none)',
      status: input.fields.Status ?? '',
      createdAt: iso(input.createdAt) as string,
      engagementAt: iso(state.engagementAt) as string,
      engagementSource: state.engagementSource,
      assignedAt: iso(assignedAt),
      accountableRepId: rep,
      accountableRep: this.userName(rep),
      firstTouchAt: iso(touchAt),
      firstTouchType: state.touchType,
      firstTouchBy: this.userName(state.touchBy),
      systemsDelayMinutes: minutes(state.engagementAt, assignedAt),
      humanDelayMinutes: humanMs === null ? null : Math.round((humanMs / MINUTE) * 100) / 100,
      humanDelayBusinessMinutes:
        businessMs === null ? null : Math.round((businessMs / MINUTE) * 100) / 100,
      speedToLeadMinutes: minutes(state.engagementAt, touchAt),
      leadType: outcome.leadType,
      slaRule: outcome.rule,
      slaThresholdMinutes: outcome.thresholdMinutes,
      slaDueAt: iso(outcome.dueAt),
      slaStatus: outcome.status,
      slaMissedByMinutes: outcome.missedByMinutes,
      slaExcludedReason: outcome.excludedReason,
      queueWaitMinutes: Math.round((queueWait / MINUTE) * 100) / 100,
      reassignments,
      afterHours: !calendar.isWithin(state.engagementAt),
      week,
      currentOwner: this.userName(currentOwner) ?? currentOwner,
      currentOwnerType: isUserId(currentOwner)
        ? 'User'
        : isQueueId(currentOwner)
          ? 'Queue'
          : 'Unknown'
    };
  }

  /** Derives every lead and builds the report. `onLead` sees each lead (for per-lead output). */
  finish(onLead?: (lead: LeadResult) => void): AuditReport {
    const results: LeadResult[] = [];
    const asOf = this.options.asOf;
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
    for (const state of this.leads.values()) {
      const r = this.derive(state);
      results.push(r);
      onLead?.(r);
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
        flag(nets.ownedByInactiveUser, r, (asOf - state.engagementAt) / MINUTE);
      }
      if (open && r.firstTouchAt === null && asOf - state.engagementAt > 24 * 60 * MINUTE) {
        flag(nets.untouchedOver24h, r, (asOf - state.engagementAt) / MINUTE);
      }
    }
    for (const net of [nets.inQueueOver60Min, nets.ownedByInactiveUser, nets.untouchedOver24h]) {
      net.leads.sort((a, b) => b.minutes - a.minutes);
      net.leads = net.leads.slice(0, 25);
    }
    const byWeek = groupBy(results, (r) => r.week).sort((a, b) => a.key.localeCompare(b.key));
    // a spike: the miss rate rises by more than 20% (relative) over the previous week; weeks with
    // fewer than MIN_DECIDED decided leads are too small to judge
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
    const touched = results.filter((r) => r.speedToLeadMinutes !== null);
    const median = (xs: LeadResult[]): number | null =>
      roundSummary(summarize(xs.map((r) => r.speedToLeadMinutes as number))).median;
    const queued = results.filter((r) => r.queueWaitMinutes > 0);
    const after = touched.filter((r) => r.afterHours);
    const reassigned = touched.filter((r) => r.reassignments > 0);
    const slowest = [...touched]
      .sort((a, b) => (b.speedToLeadMinutes as number) - (a.speedToLeadMinutes as number))
      .slice(0, this.options.slowestCount ?? 10);
    return {
      asOf: new Date(asOf).toISOString(),
      leads: results.length,
      leadCounts: {
        assigned: results.filter((r) => r.assignedAt !== null).length,
        touched: touched.length,
        unassigned: results.filter((r) => r.assignedAt === null).length,
        untouched: results.length - touched.length
      },
      ...delayStats(results),
      sla: slaCounts(results),
      byLeadType: groupBy(results, (r) => r.leadType ?? 'Not Applicable'),
      byOwner: groupBy(
        results.filter((r) => r.accountableRep !== null),
        (r) => r.accountableRep as string
      ),
      bySource: groupBy(results, (r) => r.source),
      byWeek,
      slowest,
      bottlenecks: {
        queueWait: {
          leads: queued.length,
          minutes: roundSummary(summarize(queued.map((r) => r.queueWaitMinutes))),
          over60Min: queued.filter((r) => r.queueWaitMinutes > 60).length
        },
        afterHours: {
          leads: results.filter((r) => r.afterHours).length,
          share: results.length
            ? r4(results.filter((r) => r.afterHours).length / results.length)
            : null,
          speedToLeadMedianAfterHours: median(after),
          speedToLeadMedianInHours: median(touched.filter((r) => !r.afterHours))
        },
        reassignments: {
          leads: results.filter((r) => r.reassignments > 0).length,
          total: results.reduce((s, r) => s + r.reassignments, 0),
          speedToLeadMedianReassigned: median(reassigned),
          speedToLeadMedianNotReassigned: median(touched.filter((r) => r.reassignments === 0))
        }
      },
      safetyNets: nets,
      accuracy: accuracy.result()
    };
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

export function slaCounts(rows: readonly { slaStatus: SlaStatus }[]): SlaCounts {
  const c = { hit: 0, missed: 0, pending: 0, excluded: 0, notApplicable: 0 };
  for (const r of rows) {
    if (r.slaStatus === 'Hit') c.hit++;
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
    .map(([k, list]) => ({ key: k, leads: list.length, ...delayStats(list), sla: slaCounts(list) }))
    .sort((a, b) => b.leads - a.leads || a.key.localeCompare(b.key));
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
