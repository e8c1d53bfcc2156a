/**
 * Conversion impact: does a faster first touch convert better? A pure engine over plain lead and
 * opportunity records, shared by `stl audit` (JSON fields and the HTML report) and the tests.
 *
 * Definitions (the numbers leaders read, so every one is stated here and in the output):
 * - Speed-to-lead buckets use calendar minutes from engagement to first touch. Each bucket holds
 *   `lower <= minutes < upper` (lower bound inclusive, upper exclusive): 4.9998 min (4:59.99) is
 *   `under5m`, exactly 5 min is `5to30m`. A lead with no first touch is `neverTouched`.
 * - Conversion rate = converted leads / leads in the group; opportunity rate = converted leads
 *   with a converted opportunity / leads in the group. Rates are fractions (0-1, 4 decimals) and
 *   every rate sits beside its counts. A group with fewer leads than `minSample` (default 20) is
 *   flagged `smallSample: true`, so nobody reads noise as a trend.
 * - Pipeline amount = the sum of `Amount` of the converted opportunities (open and closed); won
 *   amount = the sum over those with `IsWon`. A missing Amount counts as 0.
 * - Before/after: leads whose engagement is before the go-live instant vs at or after it.
 * - Systems delay is rated per source on the median systems delay against the benchmarks
 *   practitioners use, with exact bands (SYSTEMS_DELAY_BANDS): best in class <= 5 min,
 *   acceptable 5-10 min, yellow 10-15 min, red 15-30 min, critical >= 30 min (a band's upper
 *   bound is exclusive except best in class, which includes 5 min exactly). Leads whose systems
 *   delay interval (engagement to engagement + systems delay) overlaps a user-named outage window
 *   are left out of the rating only, and the output says how many and which windows.
 */

import { parseUtcMillisIso } from './audit.ts';

export class ConversionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConversionError';
  }
}

/** One lead as the audit (or an org query) knows it. Times are ISO strings or epoch ms. */
export interface ConversionLead {
  id?: string;
  /** Calendar minutes from engagement to first touch; null or undefined when never touched. */
  speedToLeadMinutes?: number | null;
  /** Calendar minutes from engagement to assignment; null when not assigned. */
  systemsDelayMinutes?: number | null;
  /** Pending, Hit, Missed, Excluded, Not Applicable (blank reads as Not Applicable). */
  slaStatus?: string | null;
  leadType?: string | null;
  source?: string | null;
  converted: boolean;
  convertedOpportunityId?: string | null;
  engagementAt?: string | number | null;
}

export interface ConversionOpportunity {
  id: string;
  amount?: number | null;
  isWon: boolean;
  isClosed: boolean;
}

export interface TimeWindow {
  start: string | number;
  end: string | number;
}

export interface ConversionOptions {
  /** Groups with fewer leads are flagged smallSample (default 20). */
  minSample?: number;
  /** Go-live instant for the before/after split (ISO date or date-time, or epoch ms). */
  goLive?: string | number | null;
  /** Platform-outage windows left out of the systems delay rating. */
  excludeWindows?: readonly TimeWindow[];
}

export interface RateRow {
  leads: number;
  converted: number;
  withOpportunity: number;
  conversionRate: number | null;
  opportunityRate: number | null;
  smallSample: boolean;
}

export interface BucketRow extends RateRow {
  bucket: BucketKey;
  label: string;
  /** Inclusive lower bound in minutes; null for neverTouched. */
  fromMinutes: number | null;
  /** Exclusive upper bound in minutes; null when open-ended or for neverTouched. */
  toMinutes: number | null;
}

export interface OutcomeRow extends RateRow {
  outcome: 'Hit' | 'Missed';
}

export interface LeadTypeRow extends RateRow {
  leadType: string;
}

export interface PipelineRow {
  outcome: 'Hit' | 'Missed';
  leads: number;
  opportunities: number;
  pipelineAmount: number;
  wonOpportunities: number;
  wonAmount: number;
  /** Converted opportunity Ids the opportunity data did not contain (not summed). */
  missingOpportunities: number;
  smallSample: boolean;
}

export interface PeriodSummary extends RateRow {
  slaHit: number;
  slaMissed: number;
  slaHitRate: number | null;
  medianSpeedToLeadMinutes: number | null;
}

export interface BeforeAfter {
  goLive: string;
  before: PeriodSummary;
  after: PeriodSummary;
  /** After minus before: rate differences in percentage points, median in minutes. */
  change: {
    conversionRatePoints: number | null;
    opportunityRatePoints: number | null;
    slaHitRatePoints: number | null;
    medianSpeedToLeadMinutes: number | null;
  };
  /** Leads with no engagement time, in neither period. */
  withoutEngagement: number;
}

export type SystemsDelayRating = 'best in class' | 'acceptable' | 'yellow' | 'red' | 'critical';

export interface SystemsDelayBand {
  rating: SystemsDelayRating;
  /** Lower bound in minutes (exclusive for acceptable, inclusive otherwise). */
  fromMinutes: number;
  /** Upper bound in minutes (inclusive for best in class, exclusive otherwise); null = open. */
  toMinutes: number | null;
}

export interface SourceRating {
  source: string;
  leads: number;
  medianSystemsDelayMinutes: number | null;
  rating: SystemsDelayRating | null;
  smallSample: boolean;
}

export interface SystemsDelayResult {
  basis: string;
  bands: SystemsDelayBand[];
  excludedWindows: { start: string; end: string; leads: number }[];
  excludedLeads: number;
  /** One sentence for the report: which windows were left out, or that none were. */
  exclusionStatement: string;
  bySource: SourceRating[];
}

export interface ConversionImpact {
  minSample: number;
  leads: number;
  conversionByBucket: BucketRow[];
  conversionBySlaOutcome: OutcomeRow[];
  conversionByLeadType: LeadTypeRow[];
  pipelineBySlaOutcome: PipelineRow[];
  beforeAfter: BeforeAfter | null;
  systemsDelayRating: SystemsDelayResult;
  definitions: string[];
}

export type BucketKey =
  | 'under5m'
  | '5to30m'
  | '30to60m'
  | '1to4h'
  | '4to24h'
  | 'over24h'
  | 'neverTouched';

/** The buckets in order: `from <= minutes < to`. */
export const BUCKETS: readonly {
  key: BucketKey;
  label: string;
  from: number | null;
  to: number | null;
}[] = [
  { key: 'under5m', label: 'under 5 min', from: 0, to: 5 },
  { key: '5to30m', label: '5-30 min', from: 5, to: 30 },
  { key: '30to60m', label: '30-60 min', from: 30, to: 60 },
  { key: '1to4h', label: '1-4 h', from: 60, to: 240 },
  { key: '4to24h', label: '4-24 h', from: 240, to: 1440 },
  { key: 'over24h', label: 'over 24 h', from: 1440, to: null },
  { key: 'neverTouched', label: 'never touched', from: null, to: null }
];

export const SYSTEMS_DELAY_BANDS: readonly SystemsDelayBand[] = [
  { rating: 'best in class', fromMinutes: 0, toMinutes: 5 },
  { rating: 'acceptable', fromMinutes: 5, toMinutes: 10 },
  { rating: 'yellow', fromMinutes: 10, toMinutes: 15 },
  { rating: 'red', fromMinutes: 15, toMinutes: 30 },
  { rating: 'critical', fromMinutes: 30, toMinutes: null }
];

export const DEFAULT_MIN_SAMPLE = 20;

const round = (n: number, places: number): number => {
  const f = 10 ** places;
  return Math.round(n * f) / f;
};
const ratio = (num: number, den: number): number | null => (den > 0 ? round(num / den, 4) : null);

/** The bucket of a speed to lead in minutes (null = never touched). */
export function bucketOf(minutes: number | null | undefined): BucketKey {
  if (minutes === null || minutes === undefined) return 'neverTouched';
  for (const b of BUCKETS) {
    if (b.from === null) continue;
    if (minutes >= b.from && (b.to === null || minutes < b.to)) return b.key;
  }
  throw new ConversionError(`speed to lead ${minutes} min is outside every bucket`);
}

/** The benchmark rating of a systems delay in minutes. */
export function rateSystemsDelay(minutes: number): SystemsDelayRating {
  if (minutes <= 5) return 'best in class';
  if (minutes < 10) return 'acceptable';
  if (minutes < 15) return 'yellow';
  if (minutes < 30) return 'red';
  return 'critical';
}

/** Parses an instant: epoch ms, an ISO date-time, or an ISO date (midnight UTC). */
export function parseInstantStrict(value: string | number, where: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ConversionError(`${where}: ${value} is not a time`);
    return value;
  }
  // the shape exports and the audit write (2026-04-24T19:40:10.000Z), read digit by digit
  if (value.length === 24) {
    const fast = parseUtcMillisIso(value);
    if (fast !== null) return fast;
  }
  const text = value.trim();
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(ms)) {
    throw new ConversionError(
      `${where}: "${value}" is not an ISO date or date-time (e.g. 2026-10-01 or 2026-10-01T09:00:00Z)`
    );
  }
  return ms;
}

/** Parses `start/end` as the `--exclude-window` flag takes it. */
export function parseWindow(text: string): TimeWindow {
  const parts = text.split('/');
  if (parts.length !== 2 || !parts[0].trim() || !parts[1].trim()) {
    throw new ConversionError(
      `--exclude-window "${text}" must be start/end, e.g. 2026-10-05T14:00:00Z/2026-10-05T18:30:00Z`
    );
  }
  const w = { start: parts[0].trim(), end: parts[1].trim() };
  checkWindow(w, `--exclude-window "${text}"`);
  return w;
}

function checkWindow(w: TimeWindow, where: string): [number, number] {
  const start = parseInstantStrict(w.start, `${where} start`);
  const end = parseInstantStrict(w.end, `${where} end`);
  if (end <= start) throw new ConversionError(`${where}: the end must be after the start`);
  return [start, end];
}

interface Checked {
  where: string;
  stl: number | null;
  systems: number | null;
  status: string;
  leadType: string;
  source: string;
  converted: boolean;
  oppId: string | null;
  engagement: number | null;
}

function checkMinutes(v: number | null | undefined, where: string): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new ConversionError(`${where}: ${String(v)} is not a number of minutes >= 0`);
  }
  return v;
}

const blank = (s: string | null | undefined): string => (s ?? '').trim();

function checkLead(l: ConversionLead, i: number): Checked {
  const where = `lead ${l.id ?? `#${i + 1}`}`;
  return {
    where,
    stl: checkMinutes(l.speedToLeadMinutes, `${where} speedToLeadMinutes`),
    systems: checkMinutes(l.systemsDelayMinutes, `${where} systemsDelayMinutes`),
    status: blank(l.slaStatus) || 'Not Applicable',
    leadType: blank(l.leadType) || 'Not Applicable',
    source: blank(l.source) || '(no source)',
    converted: l.converted === true,
    oppId: blank(l.convertedOpportunityId) || null,
    engagement:
      l.engagementAt === null || l.engagementAt === undefined || l.engagementAt === ''
        ? null
        : parseInstantStrict(l.engagementAt, `${where} engagementAt`)
  };
}

/** Leads, converted and with an opportunity, counted one lead at a time. */
class RateCount {
  leads = 0;
  converted = 0;
  withOpportunity = 0;
  add(r: Checked): void {
    this.leads++;
    if (r.converted) {
      this.converted++;
      if (r.oppId) this.withOpportunity++;
    }
  }
  row(minSample: number): RateRow {
    return {
      leads: this.leads,
      converted: this.converted,
      withOpportunity: this.withOpportunity,
      conversionRate: ratio(this.converted, this.leads),
      opportunityRate: ratio(this.withOpportunity, this.leads),
      smallSample: this.leads < minSample
    };
  }
}

/** The median of values, 2 decimals; sorts the array it is given. */
function medianOf(values: number[]): number | null {
  if (!values.length) return null;
  const s = values.sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return round(s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, 2);
}

/** One side of the go-live split, counted one lead at a time. */
class PeriodCount {
  readonly rate = new RateCount();
  hit = 0;
  missed = 0;
  readonly speeds: number[] = [];
  add(r: Checked): void {
    this.rate.add(r);
    if (r.status === 'Hit') this.hit++;
    else if (r.status === 'Missed') this.missed++;
    if (r.stl !== null) this.speeds.push(r.stl);
  }
  summary(minSample: number): PeriodSummary {
    return {
      ...this.rate.row(minSample),
      slaHit: this.hit,
      slaMissed: this.missed,
      slaHitRate: ratio(this.hit, this.hit + this.missed),
      medianSpeedToLeadMinutes: medianOf(this.speeds)
    };
  }
}

const points = (a: number | null, b: number | null): number | null =>
  a === null || b === null ? null : round((b - a) * 100, 2);

const OUTCOMES = ['Hit', 'Missed'] as const;
const BUCKET_INDEX = new Map(BUCKETS.map((b, i) => [b.key, i]));

/** A value worked out from the options, or the error to throw where the figures use it. */
type Prepared<T> = { value: T } | { error: unknown };
function prepare<T>(make: () => T): Prepared<T> {
  try {
    return { value: make() };
  } catch (error) {
    return { error };
  }
}
function use<T>(p: Prepared<T>): T {
  if ('error' in p) throw p.error;
  return p.value;
}

/**
 * The conversion impact folded in one lead at a time (`add`), so a caller with a million leads
 * need not hold them: only counts, the speed to lead of each go-live side, the systems delay of
 * each source and the converted opportunity Ids are kept. `result` gives what
 * `computeConversionImpact` gives for the same leads in the same order, and throws the same
 * ConversionError for bad input (a bad lead as it is added).
 */
export class ConversionCollector {
  readonly minSample: number;
  private leads = 0;
  private readonly buckets = BUCKETS.map(() => new RateCount());
  private readonly outcomes = OUTCOMES.map(() => ({
    rate: new RateCount(),
    /** converted opportunity Ids, each once, in the order the leads came */
    oppIds: new Set<string>()
  }));
  private readonly types = new Map<string, RateCount>();
  private readonly goLive: Prepared<number> | null;
  private readonly before = new PeriodCount();
  private readonly after = new PeriodCount();
  private dated = 0;
  private readonly windows: Prepared<[number, number][]>;
  private readonly windowLeads: number[];
  private excluded = 0;
  private readonly systemsBySource = new Map<string, number[]>();

  constructor(options: ConversionOptions = {}) {
    const minSample = options.minSample ?? DEFAULT_MIN_SAMPLE;
    if (!Number.isInteger(minSample) || minSample < 1) {
      throw new ConversionError(`minSample must be a whole number >= 1, got ${String(minSample)}`);
    }
    this.minSample = minSample;
    const goLive = options.goLive;
    this.goLive =
      goLive !== undefined && goLive !== null && goLive !== ''
        ? prepare(() => parseInstantStrict(goLive, '--go-live'))
        : null;
    const windows = options.excludeWindows ?? [];
    this.windows = prepare(() => windows.map((w, i) => checkWindow(w, `exclude window ${i + 1}`)));
    this.windowLeads = windows.map(() => 0);
  }

  add(lead: ConversionLead): void {
    const r = checkLead(lead, this.leads++);
    this.buckets[BUCKET_INDEX.get(bucketOf(r.stl)) as number].add(r);
    for (let i = 0; i < OUTCOMES.length; i++) {
      if (r.status !== OUTCOMES[i]) continue;
      const o = this.outcomes[i];
      o.rate.add(r);
      if (r.converted && r.oppId) o.oppIds.add(r.oppId);
    }
    let type = this.types.get(r.leadType);
    if (!type) this.types.set(r.leadType, (type = new RateCount()));
    type.add(r);
    if (this.goLive && 'value' in this.goLive && r.engagement !== null) {
      this.dated++;
      (r.engagement < this.goLive.value ? this.before : this.after).add(r);
    }
    this.addSystemsDelay(r);
  }

  /** A lead whose systems delay overlaps an outage window is left out of the rating. */
  private addSystemsDelay(r: Checked): void {
    if (r.systems === null || !('value' in this.windows)) return;
    let hit = false;
    if (r.engagement !== null) {
      const from = r.engagement;
      const to = r.engagement + r.systems * 60_000;
      const ranges = this.windows.value;
      for (let i = 0; i < ranges.length; i++) {
        if (from <= ranges[i][1] && to >= ranges[i][0]) {
          this.windowLeads[i] += 1;
          hit = true;
        }
      }
    }
    if (hit) {
      this.excluded += 1;
      return;
    }
    const values = this.systemsBySource.get(r.source);
    if (values) values.push(r.systems);
    else this.systemsBySource.set(r.source, [r.systems]);
  }

  /** Every conversion impact figure over the leads added. */
  result(opportunities: readonly ConversionOpportunity[]): ConversionImpact {
    const { minSample } = this;
    const opps = new Map<string, ConversionOpportunity>();
    for (const o of opportunities) {
      if (!o.id) throw new ConversionError('an opportunity has no Id');
      opps.set(o.id, o);
    }

    const conversionByBucket: BucketRow[] = BUCKETS.map((b, i) => ({
      bucket: b.key,
      label: b.label,
      fromMinutes: b.from,
      toMinutes: b.to,
      ...this.buckets[i].row(minSample)
    }));

    const conversionBySlaOutcome: OutcomeRow[] = OUTCOMES.map((outcome, i) => ({
      outcome,
      ...this.outcomes[i].rate.row(minSample)
    }));

    const conversionByLeadType: LeadTypeRow[] = [...this.types.entries()]
      .map(([leadType, count]) => ({ leadType, ...count.row(minSample) }))
      .sort((a, b) => b.leads - a.leads || a.leadType.localeCompare(b.leadType));

    const pipelineBySlaOutcome: PipelineRow[] = OUTCOMES.map((outcome, i) => {
      const { rate, oppIds } = this.outcomes[i];
      const ids = [...oppIds];
      const found = ids.map((id) => opps.get(id)).filter((o): o is ConversionOpportunity => !!o);
      const amount = (o: ConversionOpportunity) => {
        if (o.amount === null || o.amount === undefined) return 0;
        if (!Number.isFinite(o.amount)) {
          throw new ConversionError(`opportunity ${o.id} Amount: ${o.amount} is not a number`);
        }
        return o.amount;
      };
      const won = found.filter((o) => o.isWon);
      return {
        outcome,
        leads: rate.leads,
        opportunities: found.length,
        pipelineAmount: round(
          found.reduce((s, o) => s + amount(o), 0),
          2
        ),
        wonOpportunities: won.length,
        wonAmount: round(
          won.reduce((s, o) => s + amount(o), 0),
          2
        ),
        missingOpportunities: ids.length - found.length,
        smallSample: rate.leads < minSample
      };
    });

    let beforeAfter: BeforeAfter | null = null;
    if (this.goLive) {
      const goLive = use(this.goLive);
      const before = this.before.summary(minSample);
      const after = this.after.summary(minSample);
      beforeAfter = {
        goLive: new Date(goLive).toISOString(),
        before,
        after,
        change: {
          conversionRatePoints: points(before.conversionRate, after.conversionRate),
          opportunityRatePoints: points(before.opportunityRate, after.opportunityRate),
          slaHitRatePoints: points(before.slaHitRate, after.slaHitRate),
          medianSpeedToLeadMinutes:
            before.medianSpeedToLeadMinutes === null || after.medianSpeedToLeadMinutes === null
              ? null
              : round(after.medianSpeedToLeadMinutes - before.medianSpeedToLeadMinutes, 2)
        },
        withoutEngagement: this.leads - this.dated
      };
    }

    return {
      minSample,
      leads: this.leads,
      conversionByBucket,
      conversionBySlaOutcome,
      conversionByLeadType,
      pipelineBySlaOutcome,
      beforeAfter,
      systemsDelayRating: this.systemsDelay(),
      definitions: [
        'Buckets: calendar minutes from engagement to first touch; lower bound inclusive, upper exclusive (exactly 5 min is 5-30 min).',
        'Conversion rate = converted / leads; opportunity rate = converted with an opportunity / leads.',
        `Groups with fewer than ${minSample} leads are flagged smallSample: read them as anecdotes, not trends.`,
        'Pipeline and won amounts: Amount of the converted opportunities (won = IsWon).',
        'Systems delay rated on the median per source: best in class <= 5 min, acceptable under 10, yellow 10 to under 15, red 15 to under 30, critical 30 and over.'
      ]
    };
  }

  private systemsDelay(): SystemsDelayResult {
    const ranges = use(this.windows);
    const { minSample, excluded } = this;
    const bySource = [...this.systemsBySource.entries()]
      .map(([source, values]) => {
        const leads = values.length;
        const med = medianOf(values);
        return {
          source,
          leads,
          medianSystemsDelayMinutes: med,
          rating: med === null ? null : rateSystemsDelay(med),
          smallSample: leads < minSample
        };
      })
      .sort((a, b) => (b.medianSystemsDelayMinutes ?? 0) - (a.medianSystemsDelayMinutes ?? 0));
    const iso = (ms: number) => new Date(ms).toISOString();
    const excludedWindows = ranges.map((range, i) => ({
      start: iso(range[0]),
      end: iso(range[1]),
      leads: this.windowLeads[i]
    }));
    return {
      basis: 'median systems delay (assignment minus engagement, calendar minutes) per lead source',
      bands: SYSTEMS_DELAY_BANDS.map((b) => ({ ...b })),
      excludedWindows,
      excludedLeads: excluded,
      exclusionStatement: excludedWindows.length
        ? `Excluded ${excluded} lead(s) whose systems delay overlaps ${excludedWindows.length} outage window(s): ${excludedWindows
            .map((w) => `${w.start} to ${w.end} (${w.leads})`)
            .join('; ')}.`
        : 'No outage windows excluded: every assigned lead is rated.',
      bySource
    };
  }
}

/**
 * Computes every conversion impact figure. Throws ConversionError on bad input, naming the lead
 * (its id, or its position) and the field.
 */
export function computeConversionImpact(
  leads: readonly ConversionLead[],
  opportunities: readonly ConversionOpportunity[],
  options: ConversionOptions = {}
): ConversionImpact {
  const collector = new ConversionCollector(options);
  for (const lead of leads) collector.add(lead);
  return collector.result(opportunities);
}

// ---------------------------------------------------------------------------------------------
// Adapters for `stl audit`: its per-cycle results plus the exported Lead and Opportunity columns.

/** The fields of the audit's LeadResult (scripts/lib/audit.ts) this module reads. */
export interface AuditCycleLike {
  id: string;
  isCurrentCycle: boolean;
  engagementAt: string;
  speedToLeadMinutes: number | null;
  systemsDelayMinutes: number | null;
  slaStatus: string;
  leadType: string | null;
  source: string;
  /** when the audit carries them itself; otherwise read from `fieldsOf` */
  converted?: boolean;
  convertedOpportunityId?: string | null;
}

const truthy = (v: string | undefined): boolean => (v ?? '').trim().toLowerCase() === 'true';

/**
 * One ConversionLead per lead from the audit's cycle results: the current cycle (the one the
 * Lead's own fields mirror) carries the conversion, so earlier cycles are left out. `fieldsOf`
 * returns the exported Lead columns (IsConverted, ConvertedOpportunityId) of a lead Id.
 */
export function conversionLeadsFromAudit(
  cycles: readonly AuditCycleLike[],
  fieldsOf: (leadId: string) => Record<string, string> | undefined = () => undefined
): ConversionLead[] {
  return cycles
    .filter((c) => c.isCurrentCycle)
    .map((c) => {
      const f = fieldsOf(c.id) ?? {};
      return {
        id: c.id,
        speedToLeadMinutes: c.speedToLeadMinutes,
        systemsDelayMinutes: c.systemsDelayMinutes,
        slaStatus: c.slaStatus,
        leadType: c.leadType,
        source: c.source,
        converted: c.converted ?? truthy(f.IsConverted),
        convertedOpportunityId:
          c.convertedOpportunityId !== undefined
            ? c.convertedOpportunityId || null
            : (f.ConvertedOpportunityId ?? '').trim() || null,
        engagementAt: c.engagementAt || null
      };
    });
}

/**
 * Opportunity rows as Data Loader or `sf data export` writes Opportunity.csv (Id, Amount, IsWon,
 * IsClosed). `rowNumber` gives the file line of a row for error messages.
 */
export function opportunitiesFromRows(
  rows: readonly Record<string, string>[],
  fileName = 'Opportunity.csv',
  rowNumber: (index: number) => number = (i) => i + 2
): ConversionOpportunity[] {
  return rows.map((r, i) => {
    const where = `${fileName} line ${rowNumber(i)}`;
    const id = (r.Id ?? '').trim();
    if (!id) throw new ConversionError(`${where}, column Id: the opportunity has no Id`);
    const rawAmount = (r.Amount ?? '').trim();
    const amount = rawAmount === '' ? null : Number(rawAmount);
    if (amount !== null && !Number.isFinite(amount)) {
      throw new ConversionError(`${where}, column Amount: "${rawAmount}" is not a number`);
    }
    return { id, amount, isWon: truthy(r.IsWon), isClosed: truthy(r.IsClosed) };
  });
}

// ---------------------------------------------------------------------------------------------
// HTML fragment for the audit report: inline SVG and plain tables, no script, no external CSS.

const esc = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!
  );
const pct = (r: number | null): string => (r === null ? '–' : `${round(r * 100, 1)}%`);
const money = (n: number): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: 2 });
const small = (flag: boolean): string =>
  flag ? ' <span class="stl-small" title="small sample">small sample</span>' : '';

/** An inline SVG bar chart of the conversion rate by bucket, with the count on every bar. */
export function renderBucketChartSvg(rows: readonly BucketRow[]): string {
  const width = 640;
  const barArea = 180;
  const top = 24;
  const slot = width / rows.length;
  const bars = rows
    .map((r, i) => {
      const rate = r.conversionRate ?? 0;
      const h = Math.round(rate * barArea);
      const x = Math.round(i * slot + slot * 0.15);
      const w = Math.round(slot * 0.7);
      const y = top + barArea - h;
      const fill = r.smallSample ? '#b0b7c3' : '#0176d3';
      return [
        `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="${fill}"><title>${esc(r.label)}: ${pct(r.conversionRate)} of ${r.leads} leads</title></rect>`,
        `<text x="${x + w / 2}" y="${y - 6}" text-anchor="middle" font-size="12">${pct(r.conversionRate)}</text>`,
        `<text x="${x + w / 2}" y="${top + barArea + 16}" text-anchor="middle" font-size="12">${esc(r.label)}</text>`,
        `<text x="${x + w / 2}" y="${top + barArea + 32}" text-anchor="middle" font-size="11" fill="#555">n=${r.leads}${r.smallSample ? '*' : ''}</text>`
      ].join('');
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 ${width} ${top + barArea + 44}" width="100%" aria-label="Conversion rate by speed-to-lead bucket">${bars}<line x1="0" y1="${top + barArea}" x2="${width}" y2="${top + barArea}" stroke="#999"/></svg>`;
}

function rateTable(title: string, head: string, rows: { name: string; r: RateRow }[]): string {
  const body = rows
    .map(
      ({ name, r }) =>
        `<tr><td>${esc(name)}${small(r.smallSample)}</td><td>${r.leads}</td><td>${r.converted}</td><td>${pct(r.conversionRate)}</td><td>${r.withOpportunity}</td><td>${pct(r.opportunityRate)}</td></tr>`
    )
    .join('');
  return `<h3>${esc(title)}</h3><table class="stl-conv"><thead><tr><th>${esc(head)}</th><th>leads</th><th>converted</th><th>conversion</th><th>with opportunity</th><th>to opportunity</th></tr></thead><tbody>${body}</tbody></table>`;
}

/** The conversion impact section of the audit's HTML report (a fragment: no html/head/body). */
export function renderConversionHtml(c: ConversionImpact): string {
  const parts: string[] = [];
  parts.push(
    '<section class="stl-conversion"><style>.stl-conversion table{border-collapse:collapse;margin:.5em 0}.stl-conversion td,.stl-conversion th{border:1px solid #ddd;padding:2px 8px;text-align:right}.stl-conversion td:first-child,.stl-conversion th:first-child{text-align:left}.stl-small{color:#8a5a00;font-size:.85em}</style>'
  );
  parts.push('<h2>Conversion impact</h2>');
  parts.push(
    `<p>${c.leads} leads. Bars in grey and rows marked small sample have fewer than ${c.minSample} leads.</p>`
  );
  parts.push(renderBucketChartSvg(c.conversionByBucket));
  parts.push(
    rateTable(
      'By speed to lead',
      'bucket',
      c.conversionByBucket.map((r) => ({ name: r.label, r }))
    )
  );
  parts.push(
    rateTable(
      'By SLA outcome',
      'outcome',
      c.conversionBySlaOutcome.map((r) => ({ name: r.outcome, r }))
    )
  );
  parts.push(
    rateTable(
      'By lead type',
      'lead type',
      c.conversionByLeadType.map((r) => ({ name: r.leadType, r }))
    )
  );
  parts.push(
    `<h3>Pipeline by SLA outcome</h3><table class="stl-conv"><thead><tr><th>outcome</th><th>leads</th><th>opportunities</th><th>pipeline</th><th>won</th><th>won amount</th></tr></thead><tbody>${c.pipelineBySlaOutcome
      .map(
        (p) =>
          `<tr><td>${p.outcome}${small(p.smallSample)}</td><td>${p.leads}</td><td>${p.opportunities}</td><td>${money(p.pipelineAmount)}</td><td>${p.wonOpportunities}</td><td>${money(p.wonAmount)}</td></tr>`
      )
      .join('')}</tbody></table>`
  );
  if (c.beforeAfter) {
    const b = c.beforeAfter;
    const row = (name: string, p: PeriodSummary) =>
      `<tr><td>${name}${small(p.smallSample)}</td><td>${p.leads}</td><td>${pct(p.conversionRate)}</td><td>${pct(p.opportunityRate)}</td><td>${pct(p.slaHitRate)}</td><td>${p.medianSpeedToLeadMinutes ?? '–'}</td></tr>`;
    parts.push(
      `<h3>Before and after go-live (${esc(b.goLive)})</h3><table class="stl-conv"><thead><tr><th>period</th><th>leads</th><th>conversion</th><th>to opportunity</th><th>SLA hit rate</th><th>median speed to lead (min)</th></tr></thead><tbody>${row('before', b.before)}${row('after', b.after)}</tbody></table>`
    );
  }
  const s = c.systemsDelayRating;
  parts.push(
    `<h3>Systems delay by source</h3><p>${esc(s.exclusionStatement)}</p><table class="stl-conv"><thead><tr><th>source</th><th>leads</th><th>median (min)</th><th>rating</th></tr></thead><tbody>${s.bySource
      .map(
        (r) =>
          `<tr><td>${esc(r.source)}${small(r.smallSample)}</td><td>${r.leads}</td><td>${r.medianSystemsDelayMinutes ?? '–'}</td><td>${r.rating ?? '–'}</td></tr>`
      )
      .join(
        ''
      )}</tbody></table><p>Bands: best in class &lt;= 5 min, acceptable under 10, yellow 10 to under 15, red 15 to under 30, critical 30 and over.</p>`
  );
  parts.push('</section>');
  return parts.join('\n');
}
