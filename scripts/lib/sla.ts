/**
 * SLA evaluation with the package's definitions (docs/DATA-MODEL.md), as a pure module:
 * JSON criteria, rule matching by priority, exclusion rules, touch rules and the SLA outcome
 * (Pending, Hit, Missed, Excluded, Not Applicable) with due time and missed-by business minutes.
 */
import type { BusinessCalendar } from './business-time.ts';

export type Operator =
  | 'equals'
  | 'notEquals'
  | 'in'
  | 'notIn'
  | 'contains'
  | 'startsWith'
  | 'isBlank'
  | 'isNotBlank'
  | 'greaterThan'
  | 'lessThan';

export interface Condition {
  field: string;
  operator: Operator;
  value?: unknown;
  values?: unknown[];
}

export interface SlaRule {
  developerName: string;
  leadType: string;
  priority: number;
  criteria: Condition[];
  thresholdMinutes: number;
  /** blank = the org default business hours */
  businessHoursName?: string;
  isHandRaiser: boolean;
  warningPercent: number;
  isActive: boolean;
}

export interface TouchRule {
  developerName: string;
  activityObject: 'Task' | 'Event' | 'EmailMessage';
  touchType: string;
  criteria: Condition[];
  priority: number;
  isActive: boolean;
}

export interface ExclusionRule {
  developerName: string;
  criteria: Condition[];
  reason: string;
  isActive: boolean;
}

export interface StlSettings {
  /** Lead field holding the true engagement time; blank = CreatedDate */
  engagementSourceField?: string;
  /** usernames or user Ids whose ownership is not an assignment and whose activities never count */
  excludedOwners: string[];
}

export interface RuleSet {
  slaRules: SlaRule[];
  touchRules: TouchRule[];
  exclusionRules: ExclusionRule[];
  settings: StlSettings;
}

export type SlaStatus = 'Pending' | 'Hit' | 'Missed' | 'Excluded' | 'Not Applicable';

export const OPERATORS: readonly Operator[] = [
  'equals',
  'notEquals',
  'in',
  'notIn',
  'contains',
  'startsWith',
  'isBlank',
  'isNotBlank',
  'greaterThan',
  'lessThan'
];

export class CriteriaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CriteriaError';
  }
}

/**
 * Parses criteria JSON (string or already-parsed array) into conditions, checking each one.
 * `where` names the source in messages, e.g. `SlaRule Hot`.
 */
export function parseCriteria(raw: unknown, where: string): Condition[] {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === ''))
    return [];
  let root: unknown = raw;
  if (typeof raw === 'string') {
    try {
      root = JSON.parse(raw);
    } catch (e) {
      throw new CriteriaError(`${where}: criteria is not valid JSON (${(e as Error).message})`);
    }
  }
  if (!Array.isArray(root)) throw new CriteriaError(`${where}: criteria must be a JSON array`);
  return root.map((item, i): Condition => {
    const at = `${where}: condition ${i + 1}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new CriteriaError(`${at} must be an object with field, operator and value(s)`);
    }
    const c = item as Record<string, unknown>;
    if (typeof c.field !== 'string' || c.field.trim() === '') {
      throw new CriteriaError(`${at}: "field" is missing`);
    }
    const op = OPERATORS.find(
      (o) => typeof c.operator === 'string' && o.toLowerCase() === c.operator.toLowerCase()
    );
    if (!op) throw new CriteriaError(`${at}: unknown operator "${String(c.operator)}"`);
    if ((op === 'in' || op === 'notIn') && !Array.isArray(c.values)) {
      throw new CriteriaError(`${at}: operator "${op}" needs a "values" array`);
    }
    if (op !== 'in' && op !== 'notIn' && op !== 'isBlank' && op !== 'isNotBlank') {
      if (!('value' in c)) throw new CriteriaError(`${at}: operator "${op}" needs a "value"`);
    }
    return {
      field: c.field.trim(),
      operator: op,
      value: c.value,
      values: Array.isArray(c.values) ? c.values : undefined
    };
  });
}

const isBlank = (v: unknown): boolean =>
  v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
const text = (v: unknown): string => (isBlank(v) ? '' : String(v).trim().toLowerCase());
const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const asNumber = (v: unknown): number | undefined => {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && NUMERIC.test(v.trim())) return Number(v);
  return undefined;
};
const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;
const asTime = (v: unknown): number | undefined =>
  typeof v === 'string' && ISO_DATE.test(v.trim()) ? Date.parse(v.trim()) : undefined;

function same(actual: unknown, expected: unknown): boolean {
  if (isBlank(actual) || isBlank(expected)) return isBlank(actual) && isBlank(expected);
  const a = asNumber(actual);
  const b = asNumber(expected);
  if (a !== undefined && b !== undefined) return a === b;
  return text(actual) === text(expected);
}

function compare(actual: unknown, expected: unknown, where: string): number {
  if (isBlank(expected)) throw new CriteriaError(`${where}: a value is needed to compare`);
  const a = asNumber(actual);
  const b = asNumber(expected);
  if (a !== undefined && b !== undefined) return Math.sign(a - b);
  const ta = asTime(actual);
  const tb = asTime(expected);
  if (ta !== undefined && tb !== undefined && !Number.isNaN(ta) && !Number.isNaN(tb)) {
    return Math.sign(ta - tb);
  }
  return text(actual) < text(expected) ? -1 : text(actual) > text(expected) ? 1 : 0;
}

/** Field lookup that ignores case, like SObject.get on the platform. */
export function fieldValue(record: Readonly<Record<string, unknown>>, field: string): unknown {
  if (field in record) return record[field];
  const lower = field.toLowerCase();
  for (const key of Object.keys(record)) if (key.toLowerCase() === lower) return record[key];
  return undefined;
}

/**
 * The test of one condition with its expected values worked out once (blank, number, text): the
 * same answers as `matchesCriteria`, without redoing that work for every record tested.
 */
function compileCondition(c: Condition): (record: Readonly<Record<string, unknown>>) => boolean {
  const { field } = c;
  const get = (record: Readonly<Record<string, unknown>>): unknown =>
    field in record ? record[field] : fieldValue(record, field);
  /** `same(actual, expected)` with the expected side prepared */
  const sameAs = (expected: unknown): ((actual: unknown) => boolean) => {
    if (isBlank(expected)) return isBlank;
    const b = asNumber(expected);
    const t = text(expected);
    if (b === undefined) return (actual) => !isBlank(actual) && text(actual) === t;
    return (actual) => {
      if (isBlank(actual)) return false;
      const a = asNumber(actual);
      if (a !== undefined) return a === b;
      return text(actual) === t;
    };
  };
  switch (c.operator) {
    case 'isBlank':
      return (record) => isBlank(get(record));
    case 'isNotBlank':
      return (record) => !isBlank(get(record));
    case 'equals': {
      const test = sameAs(c.value);
      return (record) => test(get(record));
    }
    case 'notEquals': {
      const test = sameAs(c.value);
      return (record) => !test(get(record));
    }
    case 'in':
    case 'notIn': {
      const tests = (c.values ?? []).map(sameAs);
      const any = (actual: unknown): boolean => {
        for (const test of tests) if (test(actual)) return true;
        return false;
      };
      return c.operator === 'in' ? (record) => any(get(record)) : (record) => !any(get(record));
    }
    case 'contains': {
      const t = text(c.value);
      return (record) => {
        const actual = get(record);
        return !isBlank(actual) && text(actual).includes(t);
      };
    }
    case 'startsWith': {
      const t = text(c.value);
      return (record) => {
        const actual = get(record);
        return !isBlank(actual) && text(actual).startsWith(t);
      };
    }
    case 'greaterThan':
    case 'lessThan': {
      const sign = c.operator === 'greaterThan' ? 1 : -1;
      return (record) => {
        const actual = get(record);
        return !isBlank(actual) && compare(actual, c.value, c.field) * sign > 0;
      };
    }
  }
  return () => false;
}

const compiled = new WeakMap<
  readonly Condition[],
  (record: Readonly<Record<string, unknown>>) => boolean
>();

/**
 * `matchesCriteria` for one list of conditions as a function, made once per list (and remembered
 * for it): for rules tested against many records (touch rules per activity, SLA and exclusion
 * rules per cycle). The list must not change afterwards.
 */
export function criteriaTest(
  criteria: readonly Condition[]
): (record: Readonly<Record<string, unknown>>) => boolean {
  let test = compiled.get(criteria);
  if (!test) {
    const tests = criteria.map(compileCondition);
    test =
      tests.length === 1
        ? tests[0]
        : (record) => {
            for (const t of tests) if (!t(record)) return false;
            return true;
          };
    compiled.set(criteria, test);
  }
  return test;
}

/** Whether a record meets every condition (an empty list matches all). */
export function matchesCriteria(
  record: Readonly<Record<string, unknown>>,
  criteria: readonly Condition[]
): boolean {
  return criteria.every((c) => {
    const actual = fieldValue(record, c.field);
    switch (c.operator) {
      case 'isBlank':
        return isBlank(actual);
      case 'isNotBlank':
        return !isBlank(actual);
      case 'equals':
        return same(actual, c.value);
      case 'notEquals':
        return !same(actual, c.value);
      case 'in':
        return (c.values ?? []).some((v) => same(actual, v));
      case 'notIn':
        return !(c.values ?? []).some((v) => same(actual, v));
      case 'contains':
        return !isBlank(actual) && text(actual).includes(text(c.value));
      case 'startsWith':
        return !isBlank(actual) && text(actual).startsWith(text(c.value));
      case 'greaterThan':
        return !isBlank(actual) && compare(actual, c.value, c.field) > 0;
      case 'lessThan':
        return !isBlank(actual) && compare(actual, c.value, c.field) < 0;
    }
    return false;
  });
}

const byPriority = <T extends { priority: number; developerName: string }>(a: T, b: T): number =>
  a.priority - b.priority || a.developerName.localeCompare(b.developerName);

/**
 * The active SLA rules in matching order (lowest Priority__c, then DeveloperName). Sorting once
 * and matching many leads with `firstMatch` gives what `matchSlaRule` gives lead by lead.
 */
export function activeSlaRules(rules: readonly SlaRule[]): SlaRule[] {
  return rules.filter((r) => r.isActive).sort(byPriority);
}

/** The active exclusion rules in matching order (as listed). */
export function activeExclusionRules(rules: readonly ExclusionRule[]): ExclusionRule[] {
  return rules.filter((r) => r.isActive);
}

/** The active touch rules of one activity object in matching order (priority, then name). */
export function activeTouchRules(
  activityObject: TouchRule['activityObject'],
  rules: readonly TouchRule[]
): TouchRule[] {
  return rules.filter((r) => r.isActive && r.activityObject === activityObject).sort(byPriority);
}

/** The first rule of an already ordered list whose criteria the record meets. */
export function firstMatch<R extends { criteria: readonly Condition[] }>(
  record: Readonly<Record<string, unknown>>,
  ordered: readonly R[]
): R | undefined {
  for (const r of ordered) if (criteriaTest(r.criteria)(record)) return r;
  return undefined;
}

/** The first active SLA rule (lowest Priority__c, then DeveloperName) the lead meets. */
export function matchSlaRule(
  lead: Readonly<Record<string, unknown>>,
  rules: readonly SlaRule[]
): SlaRule | undefined {
  return firstMatch(lead, activeSlaRules(rules));
}

/** The first active exclusion rule the lead meets. */
export function matchExclusion(
  lead: Readonly<Record<string, unknown>>,
  rules: readonly ExclusionRule[]
): ExclusionRule | undefined {
  return firstMatch(lead, activeExclusionRules(rules));
}

/** The touch type of an activity, or undefined when no active touch rule for its object matches. */
export function matchTouchRule(
  activityObject: TouchRule['activityObject'],
  activity: Readonly<Record<string, unknown>>,
  rules: readonly TouchRule[]
): TouchRule | undefined {
  return firstMatch(activity, activeTouchRules(activityObject, rules));
}

export interface SlaInput {
  /** null when no rule matched */
  rule: SlaRule | null;
  /** the rule's business hours */
  calendar: BusinessCalendar | null;
  assignedAt: number | null;
  firstTouchAt: number | null;
  /** evaluation time: untouched leads are Pending before due, Missed after */
  asOf: number;
  /** exclusion reason when the lead matched an exclusion rule (e.g. Disqualified) */
  excludedReason?: string | null;
  /** conversion time, if converted */
  convertedAt?: number | null;
}

export interface SlaOutcome {
  status: SlaStatus;
  leadType: string | null;
  rule: string | null;
  thresholdMinutes: number | null;
  clockStartAt: number | null;
  dueAt: number | null;
  /** business minutes from due to the touch (or to asOf while untouched), 2 decimals */
  missedByMinutes: number | null;
  excludedReason: string | null;
}

const round2 = (v: number): number => Math.round(v * 100) / 100;

/**
 * Judges one lead (one engagement cycle).
 * - No rule: Not Applicable.
 * - Due = BusinessHours.add(assignment, threshold): the clock starts at the next opening.
 * - A touch at or before due is a Hit; after due, Missed with missed-by business minutes.
 * - Untouched: Excluded when an exclusion rule matched or the lead was converted before due;
 *   else Missed once asOf passes due, Pending before (or before assignment).
 */
export function evaluateSla(input: SlaInput): SlaOutcome {
  const { rule, calendar } = input;
  if (!rule || !calendar) return outcome(rule, 'Not Applicable', null, null, null, null);
  if (input.assignedAt === null) {
    if (input.excludedReason) {
      return outcome(rule, 'Excluded', null, null, null, input.excludedReason);
    }
    return outcome(rule, 'Pending', null, null, null, null);
  }
  const clockStartAt = calendar.nextStartDate(input.assignedAt);
  const dueAt = calendar.add(input.assignedAt, rule.thresholdMinutes * 60_000);
  const touch = input.firstTouchAt;
  if (touch !== null && touch <= dueAt)
    return outcome(rule, 'Hit', clockStartAt, dueAt, null, null);
  if (touch !== null) {
    const missedBy = round2(calendar.diff(dueAt, touch) / 60_000);
    return outcome(rule, 'Missed', clockStartAt, dueAt, missedBy, null);
  }
  if (input.excludedReason) {
    return outcome(rule, 'Excluded', clockStartAt, dueAt, null, input.excludedReason);
  }
  if (input.convertedAt !== undefined && input.convertedAt !== null && input.convertedAt <= dueAt) {
    return outcome(rule, 'Excluded', clockStartAt, dueAt, null, 'Converted');
  }
  if (input.asOf > dueAt) {
    const missedBy = round2(calendar.diff(dueAt, input.asOf) / 60_000);
    return outcome(rule, 'Missed', clockStartAt, dueAt, missedBy, null);
  }
  return outcome(rule, 'Pending', clockStartAt, dueAt, null, null);
}

/** One outcome object, the fields in SlaOutcome's order (the audit judges every cycle). */
function outcome(
  rule: SlaRule | null,
  status: SlaStatus,
  clockStartAt: number | null,
  dueAt: number | null,
  missedByMinutes: number | null,
  excludedReason: string | null
): SlaOutcome {
  return {
    status,
    leadType: rule?.leadType ?? null,
    rule: rule?.developerName ?? null,
    thresholdMinutes: rule?.thresholdMinutes ?? null,
    clockStartAt,
    dueAt,
    missedByMinutes,
    excludedReason
  };
}
