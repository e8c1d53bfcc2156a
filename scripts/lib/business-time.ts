/**
 * Business time with Salesforce BusinessHours semantics, as a pure module.
 *
 * - Weekly hours are wall-clock times in the business hours' own IANA time zone; every conversion
 *   between a wall-clock time and an instant goes through luxon, so daylight-saving changes are
 *   honoured (a 24-hour Sunday in America/New_York is 23 hours long on the spring-forward day).
 * - `start === end === '00:00'` is Salesforce's 24-hour day; an end of `00:00` (or `24:00`)
 *   after a later start means "until midnight". A missing day is closed.
 * - Holidays (all-day or partial, one-off or recurring with the Holiday object's recurrence
 *   fields) close time on their local date.
 * - Open periods are half-open, [start, end): the closing minute itself is outside business
 *   hours, so `nextStartDate` at 17:00 answers the next opening.
 * - `add` ignores interval precision below one minute (truncated toward zero), as the platform
 *   documents for `BusinessHours.add`; the start instant keeps its seconds.
 *
 * Cost: nothing loops over minutes, or over the days of a long span. The open time of a run of
 * local dates is whole weeks by arithmetic (nominal week length x weeks) plus corrections for
 * the dates that differ from the nominal week (daylight-saving transition dates and holiday
 * dates), kept per calendar year with running sums, so any range costs a lookup per calendar
 * year it touches. `diff` uses that directly; `add` and `nextStartDate` search for the date
 * where the business time runs out with it (a first guess from the nominal week, then
 * bisection), and walk only the open periods of the first and the last date.
 *
 * Local dates of instants come from the zone's UTC offsets, which are learned from luxon (so from
 * Intl) in blocks of four weeks: the offset is sampled once a week and every change between two
 * samples is bisected to the millisecond, once per zone. A lookup is then a binary search, not an
 * Intl call. (Two offset changes less than a week apart that cancel out would be missed, as they
 * were by the weekly scan the daylight-saving corrections have always used.)
 */
import { DateTime, IANAZone } from 'luxon';

export type DayName =
  | 'monday'
  | 'tuesday'
  | 'wednesday'
  | 'thursday'
  | 'friday'
  | 'saturday'
  | 'sunday';

export interface DayHours {
  /** HH:mm */
  start: string;
  /** HH:mm; `00:00` or `24:00` after a later start means midnight */
  end: string;
}

export interface WeeklyHours {
  /** IANA time zone, e.g. America/New_York (BusinessHours.TimeZoneSidKey) */
  timeZone: string;
  /** null = closed that day */
  days: Record<DayName, DayHours | null>;
}

export type RecurrenceType =
  | 'RecursDaily'
  | 'RecursEveryWeekday'
  | 'RecursWeekly'
  | 'RecursMonthly'
  | 'RecursMonthlyNth'
  | 'RecursYearly'
  | 'RecursYearlyNth';

export interface HolidaySpec {
  name: string;
  /** YYYY-MM-DD */
  activityDate: string;
  isAllDay: boolean;
  /** minutes after local midnight (0-1440), for partial-day holidays */
  startTimeInMinutes?: number;
  endTimeInMinutes?: number;
  isRecurrence?: boolean;
  recurrenceType?: RecurrenceType;
  recurrenceInterval?: number;
  /** Sunday 1, Monday 2, Tuesday 4, Wednesday 8, Thursday 16, Friday 32, Saturday 64 */
  recurrenceDayOfWeekMask?: number;
  recurrenceDayOfMonth?: number;
  recurrenceInstance?: 'First' | 'Second' | 'Third' | 'Fourth' | 'Last';
  /** January .. December */
  recurrenceMonthOfYear?: string;
  /** YYYY-MM-DD; defaults to activityDate */
  recurrenceStartDate?: string;
  /** YYYY-MM-DD, inclusive */
  recurrenceEndDateOnly?: string;
}

/** Raised for hours or holidays that cannot be interpreted; the message names the field. */
export class BusinessTimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BusinessTimeError';
  }
}

export const DAY_NAMES: readonly DayName[] = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday'
];

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
const DAY_MINUTES = 1440;
/** Instants are accepted up to this far from 1970 (ECMAScript dates reach 8.64e15 ms). */
const MAX_INSTANT_MS = 8.6e15;
/** A calendar with nothing open for this many consecutive days is treated as never open. */
const MAX_CLOSED_DAYS = 366 * 3;
const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december'
];
const INSTANCES: Record<string, number> = { first: 1, second: 2, third: 3, fourth: 4, last: -1 };

/** A civil date as a day number: days since 1970-01-01 in the proleptic Gregorian calendar. */
type DayNum = number;

interface CivilDate {
  year: number;
  month: number;
  day: number;
}

function dayNumOf(year: number, month: number, day: number): DayNum {
  return Math.floor(Date.UTC(year, month - 1, day) / 86_400_000);
}

function civilOf(dayNum: DayNum): CivilDate {
  const d = new Date(dayNum * 86_400_000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Leap years in the proleptic Gregorian calendar from year 1 through `year` (0 for year 0). */
function leapYearsThrough(year: number): number {
  return Math.floor(year / 4) - Math.floor(year / 100) + Math.floor(year / 400);
}

/** Day number of January 1 of a year, by arithmetic (no Date object: this is on hot paths). */
function firstDayOfYear(year: number): DayNum {
  return 365 * (year - 1970) + leapYearsThrough(year - 1) - leapYearsThrough(1969);
}

/** The year yearOf() answered last and its day numbers [from, to): most calls repeat it. */
const yearOfCache = { year: 1970, from: 0, to: 365 };

/** The calendar year of a day number. */
function yearOf(dayNum: DayNum): number {
  if (dayNum >= yearOfCache.from && dayNum < yearOfCache.to) return yearOfCache.year;
  let year = 1970 + Math.floor(dayNum / 365.2425);
  while (firstDayOfYear(year) > dayNum) year--;
  while (firstDayOfYear(year + 1) <= dayNum) year++;
  yearOfCache.year = year;
  yearOfCache.from = firstDayOfYear(year);
  yearOfCache.to = firstDayOfYear(year + 1);
  return year;
}

/** ISO weekday of a day number: 1 = Monday .. 7 = Sunday (1970-01-01 was a Thursday). */
function isoWeekday(dayNum: DayNum): number {
  return ((((dayNum + 3) % 7) + 7) % 7) + 1;
}

function parseIsoDate(value: string, what: string): DayNum {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim().slice(0, 10));
  if (!m) throw new BusinessTimeError(`${what}: "${value}" is not a date (YYYY-MM-DD)`);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dn = dayNumOf(year, month, day);
  const back = civilOf(dn);
  if (back.month !== month || back.day !== day) {
    throw new BusinessTimeError(`${what}: "${value}" is not a calendar date`);
  }
  return dn;
}

function parseClock(value: string, what: string): number {
  const m = /^(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?Z?$/.exec(value.trim());
  if (!m) throw new BusinessTimeError(`${what}: "${value}" is not a time (HH:mm)`);
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  if (Number(m[2]) > 59 || minutes > DAY_MINUTES) {
    throw new BusinessTimeError(`${what}: "${value}" is outside 00:00-24:00`);
  }
  return minutes;
}

/** A holiday normalised for evaluation. */
interface Holiday {
  spec: HolidaySpec;
  first: DayNum;
  last: DayNum | undefined;
  /** closed window in local minutes [from, to) */
  from: number;
  to: number;
  recurrence: RecurrenceType | undefined;
  interval: number;
  mask: number;
  dayOfMonth: number;
  instance: number;
  month: number;
}

function normaliseHoliday(spec: HolidaySpec, index: number): Holiday {
  const label = `holiday ${index + 1} (${spec.name || 'unnamed'})`;
  const activity = parseIsoDate(spec.activityDate, `${label} activityDate`);
  let from = 0;
  let to = DAY_MINUTES;
  if (!spec.isAllDay) {
    if (spec.startTimeInMinutes === undefined || spec.endTimeInMinutes === undefined) {
      throw new BusinessTimeError(
        `${label}: a holiday that is not all-day needs startTimeInMinutes and endTimeInMinutes`
      );
    }
    from = spec.startTimeInMinutes;
    to = spec.endTimeInMinutes;
    if (!(from >= 0 && to <= DAY_MINUTES && from < to)) {
      throw new BusinessTimeError(
        `${label}: startTimeInMinutes ${from} and endTimeInMinutes ${to} must satisfy 0 <= start < end <= 1440`
      );
    }
  }
  const recurrence = spec.isRecurrence ? spec.recurrenceType : undefined;
  if (spec.isRecurrence && !recurrence) {
    throw new BusinessTimeError(`${label}: isRecurrence is set but recurrenceType is missing`);
  }
  const first = spec.recurrenceStartDate
    ? parseIsoDate(spec.recurrenceStartDate, `${label} recurrenceStartDate`)
    : activity;
  const last = spec.recurrenceEndDateOnly
    ? parseIsoDate(spec.recurrenceEndDateOnly, `${label} recurrenceEndDateOnly`)
    : undefined;
  const month = spec.recurrenceMonthOfYear
    ? MONTHS.indexOf(spec.recurrenceMonthOfYear.toLowerCase()) + 1
    : civilOf(first).month;
  if (spec.recurrenceMonthOfYear && month === 0) {
    throw new BusinessTimeError(
      `${label}: recurrenceMonthOfYear "${spec.recurrenceMonthOfYear}" is not a month name`
    );
  }
  const instance = spec.recurrenceInstance
    ? INSTANCES[spec.recurrenceInstance.toLowerCase()]
    : undefined;
  if (spec.recurrenceInstance && instance === undefined) {
    throw new BusinessTimeError(
      `${label}: recurrenceInstance "${spec.recurrenceInstance}" is not First, Second, Third, Fourth or Last`
    );
  }
  const needs = (ok: boolean, field: string): void => {
    if (!ok) throw new BusinessTimeError(`${label}: ${recurrence} needs ${field}`);
  };
  if (recurrence === 'RecursWeekly' || recurrence === 'RecursMonthlyNth') {
    needs((spec.recurrenceDayOfWeekMask ?? 0) > 0, 'recurrenceDayOfWeekMask');
  }
  if (recurrence === 'RecursMonthlyNth' || recurrence === 'RecursYearlyNth') {
    needs(instance !== undefined, 'recurrenceInstance');
  }
  if (recurrence === 'RecursYearlyNth') {
    needs((spec.recurrenceDayOfWeekMask ?? 0) > 0, 'recurrenceDayOfWeekMask');
  }
  return {
    spec,
    first: recurrence ? first : activity,
    last: recurrence ? last : activity,
    from,
    to,
    recurrence,
    interval: Math.max(1, Math.floor(spec.recurrenceInterval ?? 1)),
    mask:
      spec.recurrenceDayOfWeekMask ??
      (recurrence === 'RecursEveryWeekday' ? 62 : 1 << isoWeekday(first) % 7),
    dayOfMonth: spec.recurrenceDayOfMonth ?? civilOf(first).day,
    instance: instance ?? 1,
    month
  };
}

/** Bit of a weekday in the Holiday day-of-week mask (Sunday = 1 .. Saturday = 64). */
function maskBit(dayNum: DayNum): number {
  return 1 << isoWeekday(dayNum) % 7;
}

/** True when `dayNum` is the n-th (or last, n = -1) day of its month whose weekday is in mask. */
function isNthInMonth(dayNum: DayNum, mask: number, n: number): boolean {
  if (!(maskBit(dayNum) & mask)) return false;
  const c = civilOf(dayNum);
  if (n > 0) {
    let count = 0;
    for (let d = dayNumOf(c.year, c.month, 1); d <= dayNum; d++) if (maskBit(d) & mask) count++;
    return count === n;
  }
  const monthEnd = dayNumOf(c.year, c.month + 1, 1) - 1;
  for (let d = dayNum + 1; d <= monthEnd; d++) if (maskBit(d) & mask) return false;
  return true;
}

function occursOn(h: Holiday, dayNum: DayNum): boolean {
  if (dayNum < h.first || (h.last !== undefined && dayNum > h.last)) return false;
  if (!h.recurrence) return dayNum === h.first;
  const c = civilOf(dayNum);
  const s = civilOf(h.first);
  const monthsApart = (c.year - s.year) * 12 + (c.month - s.month);
  switch (h.recurrence) {
    case 'RecursDaily':
      return (dayNum - h.first) % h.interval === 0;
    case 'RecursEveryWeekday':
      return (maskBit(dayNum) & h.mask) !== 0;
    case 'RecursWeekly': {
      // weeks counted Sunday to Saturday, like the platform's calendar
      const weekOf = (d: DayNum): number => Math.floor((d - (isoWeekday(d) % 7)) / 7);
      return (
        (maskBit(dayNum) & h.mask) !== 0 && (weekOf(dayNum) - weekOf(h.first)) % h.interval === 0
      );
    }
    case 'RecursMonthly': {
      if (monthsApart % h.interval !== 0) return false;
      const monthLength = dayNumOf(c.year, c.month + 1, 1) - dayNumOf(c.year, c.month, 1);
      // a day 31 in a 30-day month falls on the month's last day
      return c.day === Math.min(h.dayOfMonth, monthLength);
    }
    case 'RecursMonthlyNth':
      return monthsApart % h.interval === 0 && isNthInMonth(dayNum, h.mask, h.instance);
    case 'RecursYearly': {
      if (c.month !== h.month) return false;
      const monthLength = dayNumOf(c.year, c.month + 1, 1) - dayNumOf(c.year, c.month, 1);
      return c.day === Math.min(h.dayOfMonth, monthLength);
    }
    case 'RecursYearlyNth':
      return c.month === h.month && isNthInMonth(dayNum, h.mask, h.instance);
  }
  return false;
}

/** Offsets are sampled once a week and learned in blocks of this many weeks. */
const OFFSET_BLOCK_WEEKS = 4;
const OFFSET_BLOCK_MS = OFFSET_BLOCK_WEEKS * WEEK_MS;

interface OffsetBlock {
  /** instants from which an offset holds, ascending; the first is the block's start */
  starts: number[];
  /** offset in minutes (luxon's `IANAZone.offset`) from `starts[i]` until the next start */
  offsets: number[];
  /** instants in (block start, block end] where the offset changes */
  changes: number[];
}

/**
 * The UTC offsets of one IANA zone, learned from luxon a block of weeks at a time and kept: every
 * offset answer is the one luxon (Intl) gives for that instant, without an Intl call per instant.
 */
class ZoneOffsets {
  private readonly blocks = new Map<number, OffsetBlock>();
  /** the interval of the last answer, [hitFrom, hitTo), and its offset */
  private hitFrom = 0;
  private hitTo = 0;
  private hitOffset = 0;

  constructor(private readonly zone: IANAZone) {}

  /** UTC offset in minutes at an instant, as `IANAZone.offset` answers it. */
  offset(ms: number): number {
    if (ms >= this.hitFrom && ms < this.hitTo) return this.hitOffset;
    const index = Math.floor(ms / OFFSET_BLOCK_MS);
    const { starts, offsets } = this.block(index);
    let i = starts.length - 1;
    while (starts[i] > ms) i--;
    this.hitFrom = starts[i];
    this.hitTo = i + 1 < starts.length ? starts[i + 1] : (index + 1) * OFFSET_BLOCK_MS;
    this.hitOffset = offsets[i];
    return this.hitOffset;
  }

  /** Instants in [from, to) where the offset changes, ascending. */
  transitions(from: number, to: number): number[] {
    const found: number[] = [];
    // a block reports changes up to and including its end, which is the next block's start
    const last = Math.floor(to / OFFSET_BLOCK_MS);
    for (let index = Math.floor(from / OFFSET_BLOCK_MS) - 1; index <= last; index++) {
      for (const t of this.block(index).changes) if (t >= from && t < to) found.push(t);
    }
    return found;
  }

  private sample(ms: number): number {
    const offset = this.zone.offset(ms);
    if (!Number.isFinite(offset)) {
      throw new BusinessTimeError(
        `time zone ${this.zone.name} has no UTC offset at ${ms} ms (outside the supported dates)`
      );
    }
    return offset;
  }

  private block(index: number): OffsetBlock {
    const known = this.blocks.get(index);
    if (known) return known;
    const start = index * OFFSET_BLOCK_MS;
    const end = start + OFFSET_BLOCK_MS;
    const block: OffsetBlock = { starts: [start], offsets: [this.sample(start)], changes: [] };
    let t0 = start;
    let o0 = block.offsets[0];
    for (let week = 1; week <= OFFSET_BLOCK_WEEKS; week++) {
      const t1 = start + week * WEEK_MS;
      const o1 = this.sample(t1);
      // each pass bisects to an instant after t0 where the offset stops being o0 (keeping
      // offset(lo) === o0 and offset(hi) !== o0); repeated until it is the week end's offset
      while (o1 !== o0) {
        let lo = t0;
        let hi = t1;
        while (hi - lo > 1) {
          const mid = lo + Math.floor((hi - lo) / 2);
          if (this.sample(mid) === o0) lo = mid;
          else hi = mid;
        }
        const changed = this.sample(hi);
        block.changes.push(hi);
        if (hi < end) {
          block.starts.push(hi);
          block.offsets.push(changed);
        }
        t0 = hi;
        o0 = changed;
      }
      t0 = t1;
    }
    if (this.blocks.size > 20_000) this.blocks.clear();
    this.blocks.set(index, block);
    return block;
  }
}

/** One ZoneOffsets per zone name, shared by every calendar in that zone. */
const zoneOffsets = new Map<string, ZoneOffsets>();

function offsetsOf(zone: IANAZone): ZoneOffsets {
  let offsets = zoneOffsets.get(zone.name);
  if (!offsets) {
    offsets = new ZoneOffsets(zone);
    zoneOffsets.set(zone.name, offsets);
  }
  return offsets;
}

/** Index of the first element of an ascending array that is >= value (length if none). */
function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

type Segment = readonly [number, number];

/** Dates of one calendar year whose open time may differ from the nominal week. */
interface YearCorrections {
  /** ascending */
  days: DayNum[];
  /** sums[i]: open ms minus nominal ms of days[0] .. days[i - 1]; one longer than days */
  sums: number[];
  /** open ms of the whole year */
  openMs: number;
}

export class BusinessCalendar {
  readonly hours: WeeklyHours;
  private readonly zone: IANAZone;
  private readonly offsets: ZoneOffsets;
  /** per ISO weekday (index 1..7): open window in local minutes, or null */
  private readonly windows: ([number, number] | null)[] = [null];
  /** wall-clock open ms per ISO weekday (index 1..7) */
  private readonly nominalMs: number[] = [0];
  private readonly weekMs: number;
  private readonly holidays: Holiday[];
  private readonly segmentCache = new Map<DayNum, Segment[]>();
  private readonly correctionsByYear = new Map<number, YearCorrections>();
  /** yearSums[k]: corrections of the whole years yearRunFrom .. yearRunFrom + k - 1 */
  private yearSums: number[] = [];
  /** yearsClosed[k]: how many of those years have no open time */
  private yearsClosed: number[] = [];
  private yearRunFrom = 0;
  private readonly holidayDaysByYear = new Map<number, Map<DayNum, [number, number][]>>();

  constructor(hours: WeeklyHours, holidays: HolidaySpec[] = []) {
    this.hours = hours;
    const zone = IANAZone.create(hours.timeZone);
    if (!zone.isValid) {
      throw new BusinessTimeError(`timeZone "${hours.timeZone}" is not an IANA time zone`);
    }
    this.zone = zone;
    this.offsets = offsetsOf(zone);
    let week = 0;
    for (const name of DAY_NAMES) {
      const day = hours.days[name];
      if (!day) {
        this.windows.push(null);
        this.nominalMs.push(0);
        continue;
      }
      const start = parseClock(day.start, `${name} start`);
      let end = parseClock(day.end, `${name} end`);
      if (end === 0) end = DAY_MINUTES;
      if (start >= end) {
        throw new BusinessTimeError(
          `${name}: start ${day.start} must be before end ${day.end} (00:00-00:00 is a 24-hour day)`
        );
      }
      this.windows.push([start, end]);
      this.nominalMs.push((end - start) * MINUTE_MS);
      week += end - start;
    }
    this.weekMs = week * MINUTE_MS;
    this.holidays = holidays.map(normaliseHoliday);
  }

  /** True when the calendar is open at least once in a normal week. */
  get hasOpenTime(): boolean {
    return this.weekMs > 0;
  }

  /**
   * BusinessHours.add: moves `intervalMs` (whole minutes count) of business time from start.
   * A start outside business hours begins at the next opening (going forward) or the previous
   * closing (going back). A zero interval (under a minute) returns the start unchanged, so
   * `add(add(t, a), b) === add(t, a + b)` holds for every non-negative a and b.
   */
  add(startMs: number, intervalMs: number): number {
    this.assertInstant(startMs, 'start');
    if (!Number.isFinite(intervalMs)) {
      throw new BusinessTimeError(`interval is not a number of milliseconds: ${intervalMs}`);
    }
    const minutes = Math.trunc(intervalMs / MINUTE_MS);
    if (minutes === 0) return startMs;
    if (minutes > 0) return this.addForward(startMs, minutes * MINUTE_MS);
    return this.addBackward(startMs, -minutes * MINUTE_MS);
  }

  /** BusinessHours.diff: business milliseconds from start to end, negative when end < start. */
  diff(startMs: number, endMs: number): number {
    this.assertInstant(startMs, 'start');
    this.assertInstant(endMs, 'end');
    if (endMs < startMs) return 0 - this.diffOrdered(endMs, startMs);
    return this.diffOrdered(startMs, endMs);
  }

  /** BusinessHours.isWithin: open at this instant (holidays included). */
  isWithin(ms: number): boolean {
    this.assertInstant(ms, 'target');
    const day = this.localDay(ms);
    // an open period may start on the previous local date and run past midnight only when that
    // day ends at 24:00, which is the same instant as this date's 00:00: one lookup suffices
    for (const [a, b] of this.segments(day)) if (ms >= a && ms < b) return true;
    return false;
  }

  /** BusinessHours.nextStartDate: `ms` when open, else the next opening. */
  nextStartDate(ms: number): number {
    this.assertInstant(ms, 'target');
    this.assertOpen();
    let day = this.localDay(ms);
    const limit = day + MAX_CLOSED_DAYS;
    for (;;) {
      for (const [a, b] of this.segments(day)) {
        if (ms < b) return Math.max(a, ms);
      }
      day = this.nextOpenDay(day + 1, limit);
    }
  }

  /** Open business minutes of a whole local date (holidays applied), e.g. for reports. */
  openMsOnDate(isoDate: string): number {
    const day = parseIsoDate(isoDate, 'date');
    return this.dayOpenMs(day);
  }

  /** The local date (YYYY-MM-DD) of an instant in the hours' time zone. */
  localDate(ms: number): string {
    this.assertInstant(ms, 'instant');
    const { year, month, day } = civilOf(this.localDay(ms));
    const pad = (n: number): string => String(n).padStart(2, '0');
    return `${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}`;
  }

  private assertInstant(ms: number, what: string): void {
    if (!Number.isFinite(ms)) throw new BusinessTimeError(`${what} is not a valid instant: ${ms}`);
    if (Math.abs(ms) > MAX_INSTANT_MS) {
      throw new BusinessTimeError(
        `${what} ${ms} is outside the supported instants (within ${MAX_INSTANT_MS} ms of 1970)`
      );
    }
  }

  private assertOpen(): void {
    if (this.weekMs === 0) {
      throw new BusinessTimeError('business hours are closed every day of the week');
    }
  }

  private neverOpen(): BusinessTimeError {
    return new BusinessTimeError(
      `business hours in ${this.hours.timeZone} have no open time for ${MAX_CLOSED_DAYS} days (holidays cover every open day)`
    );
  }

  /** The local date of an instant: what luxon's DateTime.fromMillis in the zone would answer. */
  private localDay(ms: number): DayNum {
    // Date truncates a fractional millisecond toward zero; keep the same rounding
    return Math.floor(Math.trunc(ms + this.offsets.offset(ms) * MINUTE_MS) / DAY_MS);
  }

  /** The instant of a local wall-clock minute on a local date, through luxon. */
  private instant(day: DayNum, minute: number): number {
    if (minute >= DAY_MINUTES) return this.instant(day + 1, minute - DAY_MINUTES);
    const c = civilOf(day);
    return DateTime.fromObject(
      {
        year: c.year,
        month: c.month,
        day: c.day,
        hour: Math.floor(minute / 60),
        minute: minute % 60
      },
      { zone: this.zone }
    ).toMillis();
  }

  /** Open periods of a local date as instants, holidays removed. */
  private segments(day: DayNum): Segment[] {
    const cached = this.segmentCache.get(day);
    if (cached) return cached;
    const window = this.windows[isoWeekday(day)];
    let result: Segment[] = [];
    if (window) {
      let open: [number, number][] = [[window[0], window[1]]];
      for (const [from, to] of this.holidayWindows(day)) {
        open = open.flatMap(([s, e]): [number, number][] => {
          if (to <= s || from >= e) return [[s, e]];
          const parts: [number, number][] = [];
          if (from > s) parts.push([s, from]);
          if (to < e) parts.push([to, e]);
          return parts;
        });
      }
      result = open
        .map(([s, e]): Segment => [this.instant(day, s), this.instant(day, e)])
        .filter(([a, b]) => b > a);
    }
    if (this.segmentCache.size > 50_000) this.segmentCache.clear();
    this.segmentCache.set(day, result);
    return result;
  }

  private holidayWindows(day: DayNum): [number, number][] {
    if (this.holidays.length === 0) return [];
    return this.holidayDaysOfYear(yearOf(day)).get(day) ?? [];
  }

  /** Holiday closed windows by date for one calendar year (computed once). */
  private holidayDaysOfYear(year: number): Map<DayNum, [number, number][]> {
    let byDay = this.holidayDaysByYear.get(year);
    if (byDay) return byDay;
    byDay = new Map();
    const first = dayNumOf(year, 1, 1);
    const last = dayNumOf(year + 1, 1, 1) - 1;
    for (const h of this.holidays) {
      const from = Math.max(first, h.first);
      const to = Math.min(last, h.last ?? last);
      for (let d = from; d <= to; d++) {
        if (!occursOn(h, d)) continue;
        const list = byDay.get(d) ?? [];
        list.push([h.from, h.to]);
        byDay.set(d, list);
      }
    }
    this.holidayDaysByYear.set(year, byDay);
    return byDay;
  }

  /**
   * Dates of one calendar year whose open time may differ from the nominal week (holiday dates
   * and the dates on either side of each UTC-offset change) with running sums of the
   * difference. Computed once per year.
   */
  private correctionsOfYear(year: number): YearCorrections {
    const cached = this.correctionsByYear.get(year);
    if (cached) return cached;
    const candidates = new Set<DayNum>(this.holidayDaysOfYear(year).keys());
    // a change's local date is within a day of its UTC date: look two days past the year
    const changes = this.offsets.transitions(
      Date.UTC(year, 0, 1) - 2 * DAY_MS,
      Date.UTC(year + 1, 0, 1) + 2 * DAY_MS
    );
    for (const t of changes) {
      for (const d of [this.localDay(t - 1), this.localDay(t)]) {
        candidates.add(d - 1);
        candidates.add(d);
        candidates.add(d + 1);
      }
    }
    const first = dayNumOf(year, 1, 1);
    const last = dayNumOf(year + 1, 1, 1) - 1;
    const days = [...candidates].filter((d) => d >= first && d <= last).sort((a, b) => a - b);
    const sums = [0];
    for (const d of days) {
      sums.push(sums[sums.length - 1] + this.dayOpenMs(d) - this.nominalMs[isoWeekday(d)]);
    }
    const corrections = { days, sums, openMs: 0 };
    this.correctionsByYear.set(year, corrections);
    corrections.openMs = this.openMsOfDays(first, last);
    return corrections;
  }

  private dayOpenMs(day: DayNum): number {
    let total = 0;
    for (const [a, b] of this.segments(day)) total += b - a;
    return total;
  }

  /** Open ms of the local dates from..to inclusive: whole weeks by arithmetic plus corrections. */
  private openMsOfDays(from: DayNum, to: DayNum): number {
    if (to < from) return 0;
    const count = to - from + 1;
    const weeks = Math.floor(count / 7);
    let total = weeks * this.weekMs;
    for (let d = from + weeks * 7; d <= to; d++) total += this.nominalMs[isoWeekday(d)];
    const firstYear = yearOf(from);
    const lastYear = yearOf(to);
    const first = this.correctionsOfYear(firstYear);
    const i = lowerBound(first.days, from);
    if (firstYear === lastYear)
      return total + first.sums[lowerBound(first.days, to + 1)] - first.sums[i];
    const last = this.correctionsOfYear(lastYear);
    return (
      total +
      first.sums[first.days.length] -
      first.sums[i] +
      this.correctionsOfYears(firstYear + 1, lastYear) +
      last.sums[lowerBound(last.days, to + 1)]
    );
  }

  /** Corrections of the whole years a .. b - 1 (none when b <= a). */
  private correctionsOfYears(a: number, b: number): number {
    if (b <= a) return 0;
    this.extendYearRun(a, b);
    return this.yearSums[b - this.yearRunFrom] - this.yearSums[a - this.yearRunFrom];
  }

  /** How many of the whole years a .. b - 1 have no open time at all. */
  private closedYears(a: number, b: number): number {
    if (b <= a) return 0;
    this.extendYearRun(a, b);
    return this.yearsClosed[b - this.yearRunFrom] - this.yearsClosed[a - this.yearRunFrom];
  }

  /**
   * Makes the running sums over consecutive years reach from year a to year b. One run of years
   * is kept; a range away from it starts a new run rather than filling the gap.
   */
  private extendYearRun(a: number, b: number): void {
    const sums = this.yearSums;
    const closed = this.yearsClosed;
    const last = this.yearRunFrom + sums.length - 1;
    if (sums.length === 0 || a > last + 1 || b < this.yearRunFrom - 1) {
      this.yearRunFrom = a;
      sums.length = 0;
      closed.length = 0;
      sums.push(0);
      closed.push(0);
    }
    for (let year = this.yearRunFrom + sums.length - 1; year < b; year++) {
      const { sums: daySums, days, openMs } = this.correctionsOfYear(year);
      sums.push(sums[sums.length - 1] + daySums[days.length]);
      closed.push(closed[closed.length - 1] + (openMs > 0 ? 0 : 1));
    }
    if (a < this.yearRunFrom) {
      const earlierSums = [0];
      const earlierClosed = [0];
      for (let year = a; year < this.yearRunFrom; year++) {
        const { sums: daySums, days, openMs } = this.correctionsOfYear(year);
        earlierSums.push(earlierSums[earlierSums.length - 1] + daySums[days.length]);
        earlierClosed.push(earlierClosed[earlierClosed.length - 1] + (openMs > 0 ? 0 : 1));
      }
      const sumShift = earlierSums.pop() as number;
      const closedShift = earlierClosed.pop() as number;
      for (const v of sums) earlierSums.push(v + sumShift);
      for (const v of closed) earlierClosed.push(v + closedShift);
      this.yearSums = earlierSums;
      this.yearsClosed = earlierClosed;
      this.yearRunFrom = a;
    }
  }

  /** The first date in from..to with open time, given that the range has some. */
  private firstOpenDay(from: DayNum, to: DayNum): DayNum {
    let lo = from - 1;
    let hi = to;
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (this.openMsOfDays(from, mid) > 0) hi = mid;
      else lo = mid;
    }
    return hi;
  }

  /** The last date in from..to with open time, given that the range has some. */
  private lastOpenDay(from: DayNum, to: DayNum): DayNum {
    let lo = from;
    let hi = to + 1;
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (this.openMsOfDays(mid, to) > 0) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  /** The first date from `from` on with open time, no later than `limit`, else never open. */
  private nextOpenDay(from: DayNum, limit: DayNum): DayNum {
    // a normal week has an open day within seven dates: look at those directly
    const near = Math.min(from + 6, limit);
    for (let d = from; d <= near; d++) if (this.segments(d).length > 0) return d;
    if (near >= limit || this.openMsOfDays(near + 1, limit) === 0) throw this.neverOpen();
    return this.firstOpenDay(near + 1, limit);
  }

  /**
   * Throws when the local dates from..to, all passed on the way to an add's result, hold a run of
   * more than MAX_CLOSED_DAYS dates without open time. Such a run covers a whole calendar year
   * without open time, so only those years need a closer look.
   */
  private assertNoLongClosure(from: DayNum, to: DayNum): void {
    if (to - from + 1 <= MAX_CLOSED_DAYS) return;
    if (this.closedYears(yearOf(from) + 1, yearOf(to)) === 0) return;
    let checkedTo = from - 1;
    for (let y = yearOf(from) + 1; y < yearOf(to); y++) {
      const first = firstDayOfYear(y);
      const last = firstDayOfYear(y + 1) - 1;
      if (last <= checkedTo || this.correctionsOfYear(y).openMs > 0) continue;
      const runFrom =
        this.openMsOfDays(from, first - 1) > 0 ? this.lastOpenDay(from, first - 1) + 1 : from;
      const runTo = this.openMsOfDays(last + 1, to) > 0 ? this.firstOpenDay(last + 1, to) - 1 : to;
      if (runTo - runFrom + 1 > MAX_CLOSED_DAYS) throw this.neverOpen();
      checkedTo = runTo;
    }
  }

  /** Open ms of the k1-th .. k2-th dates (1-based) counted from `from` in direction dir. */
  private openMsCounted(from: DayNum, dir: 1 | -1, k1: number, k2: number): number {
    return dir > 0
      ? this.openMsOfDays(from + k1 - 1, from + k2 - 1)
      : this.openMsOfDays(from - k2 + 1, from - k1 + 1);
  }

  /**
   * The date where `need` ms of business time (need > 0) run out, counting whole dates from
   * `from` forward (dir 1) or backward (dir -1), and the open ms of the dates before it. The
   * first guess is the nominal week; each further step covers what is still missing (doubling
   * when holidays ate most of a step), then bisection finds the exact date.
   */
  private reach(from: DayNum, dir: 1 | -1, need: number): { day: DayNum; before: number } {
    let lo = 0;
    let loOpen = 0;
    let step = 7 * Math.max(1, Math.floor(need / this.weekMs));
    let hi: number;
    for (;;) {
      const gained = this.openMsCounted(from, dir, lo + 1, lo + step);
      if (loOpen + gained >= need) {
        hi = lo + step;
        break;
      }
      if (gained === 0 && step > MAX_CLOSED_DAYS) throw this.neverOpen();
      const nominal = (step / 7) * this.weekMs;
      lo += step;
      loOpen += gained;
      const estimate = 7 * Math.ceil((need - loOpen) / this.weekMs);
      step = gained * 2 < nominal ? Math.max(estimate, step * 2) : estimate;
    }
    // invariant: the first lo dates hold loOpen < need, the first hi dates at least need
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      const gained = this.openMsCounted(from, dir, lo + 1, mid);
      if (loOpen + gained >= need) {
        hi = mid;
      } else {
        lo = mid;
        loOpen += gained;
      }
    }
    const day = from + dir * (hi - 1);
    if (dir > 0) this.assertNoLongClosure(from, day - 1);
    else this.assertNoLongClosure(day + 1, from);
    return { day, before: loOpen };
  }

  private overlap(day: DayNum, from: number, to: number): number {
    let total = 0;
    for (const [a, b] of this.segments(day)) {
      const s = Math.max(a, from);
      const e = Math.min(b, to);
      if (e > s) total += e - s;
    }
    return total;
  }

  private diffOrdered(startMs: number, endMs: number): number {
    const first = this.localDay(startMs);
    const last = this.localDay(endMs);
    if (first === last) return this.overlap(first, startMs, endMs);
    // a 24-hour day's segment can end exactly at the next midnight; overlap() clips each date
    return (
      this.overlap(first, startMs, Infinity) +
      this.openMsOfDays(first + 1, last - 1) +
      this.overlap(last, -Infinity, endMs)
    );
  }

  private addForward(startMs: number, intervalMs: number): number {
    this.assertOpen();
    const at = this.nextStartDate(startMs);
    let remaining = intervalMs;
    // the rest of the first date, then the date where the time runs out, found by reach()
    const first = this.localDay(at);
    for (const [a, b] of this.segments(first)) {
      if (b <= at) continue;
      const from = Math.max(a, at);
      if (remaining <= b - from) return from + remaining;
      remaining -= b - from;
    }
    const { day, before } = this.reach(first + 1, 1, remaining);
    remaining -= before;
    for (const [a, b] of this.segments(day)) {
      if (remaining <= b - a) return a + remaining;
      remaining -= b - a;
    }
    throw new Error(`business-time: no open time left on the date reach() found (${day})`);
  }

  private addBackward(startMs: number, intervalMs: number): number {
    this.assertOpen();
    let remaining = intervalMs;
    const first = this.localDay(startMs);
    const firstSegments = this.segments(first);
    for (let i = firstSegments.length - 1; i >= 0; i--) {
      const [a, b] = firstSegments[i];
      if (a >= startMs) continue;
      const to = Math.min(b, startMs);
      if (remaining <= to - a) return to - remaining;
      remaining -= to - a;
    }
    const { day, before } = this.reach(first - 1, -1, remaining);
    remaining -= before;
    const segs = this.segments(day);
    for (let i = segs.length - 1; i >= 0; i--) {
      const [a, b] = segs[i];
      if (remaining <= b - a) return b - remaining;
      remaining -= b - a;
    }
    throw new Error(`business-time: no open time left on the date reach() found (${day})`);
  }
}

/** Convenience: Monday-Friday hours in one time zone. */
export function weekdayHours(timeZone: string, start: string, end: string): WeeklyHours {
  const open = { start, end };
  return {
    timeZone,
    days: {
      monday: open,
      tuesday: open,
      wednesday: open,
      thursday: open,
      friday: open,
      saturday: null,
      sunday: null
    }
  };
}

const RECORD_DAYS: [DayName, string][] = [
  ['monday', 'Monday'],
  ['tuesday', 'Tuesday'],
  ['wednesday', 'Wednesday'],
  ['thursday', 'Thursday'],
  ['friday', 'Friday'],
  ['saturday', 'Saturday'],
  ['sunday', 'Sunday']
];

const recordText = (v: unknown): string => (v === undefined || v === null ? '' : String(v).trim());
const recordNumber = (v: unknown): number | undefined =>
  recordText(v) === '' ? undefined : Number(recordText(v));

/**
 * Weekly hours from a BusinessHours record as the API returns it (`TimeZoneSidKey`,
 * `MondayStartTime` = `09:00:00.000Z`, ...; a blank start/end = closed that day, 00:00 to 00:00 =
 * open 24 hours).
 */
export function weeklyHoursFromRecord(record: Readonly<Record<string, unknown>>): WeeklyHours {
  const days = {} as WeeklyHours['days'];
  for (const [day, cap] of RECORD_DAYS) {
    const start = /^(\d{1,2}):(\d{2})/.exec(recordText(record[`${cap}StartTime`]));
    const end = /^(\d{1,2}):(\d{2})/.exec(recordText(record[`${cap}EndTime`]));
    days[day] =
      start && end
        ? {
            start: `${start[1].padStart(2, '0')}:${start[2]}`,
            end: `${end[1].padStart(2, '0')}:${end[2]}`
          }
        : null;
  }
  return { timeZone: recordText(record.TimeZoneSidKey), days };
}

/** A HolidaySpec from a Holiday record as the API (or a CSV export) returns it. */
export function holidayFromRecord(record: Readonly<Record<string, unknown>>): HolidaySpec {
  const date = (v: unknown): string | undefined => recordText(v).slice(0, 10) || undefined;
  const flag = (v: unknown): boolean => recordText(v).toLowerCase() === 'true';
  return {
    name: recordText(record.Name),
    activityDate: recordText(record.ActivityDate).slice(0, 10),
    isAllDay: flag(record.IsAllDay),
    startTimeInMinutes: recordNumber(record.StartTimeInMinutes),
    endTimeInMinutes: recordNumber(record.EndTimeInMinutes),
    isRecurrence: flag(record.IsRecurrence),
    recurrenceType: (recordText(record.RecurrenceType) ||
      undefined) as HolidaySpec['recurrenceType'],
    recurrenceInterval: recordNumber(record.RecurrenceInterval),
    recurrenceDayOfWeekMask: recordNumber(record.RecurrenceDayOfWeekMask),
    recurrenceDayOfMonth: recordNumber(record.RecurrenceDayOfMonth),
    recurrenceInstance: (recordText(record.RecurrenceInstance) ||
      undefined) as HolidaySpec['recurrenceInstance'],
    recurrenceMonthOfYear: recordText(record.RecurrenceMonthOfYear) || undefined,
    recurrenceStartDate: date(record.RecurrenceStartDateOnly ?? record.RecurrenceStartDate),
    recurrenceEndDateOnly: date(record.RecurrenceEndDateOnly)
  };
}
