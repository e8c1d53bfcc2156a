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
 * Cost: `diff` adds whole weeks arithmetically (nominal week length × weeks) and then corrects
 * only the dates that differ from the nominal week: daylight-saving transition dates and holiday
 * dates, both computed once per calendar year and cached. `add` jumps whole weeks the same way
 * and walks at most a couple of weeks day by day. Neither loops over minutes or over every day
 * of a long span.
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
const DAY_MINUTES = 1440;
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

type Segment = readonly [number, number];

export class BusinessCalendar {
  readonly hours: WeeklyHours;
  private readonly zone: IANAZone;
  /** per ISO weekday (index 1..7): open window in local minutes, or null */
  private readonly windows: ([number, number] | null)[] = [null];
  /** wall-clock open minutes per ISO weekday */
  private readonly nominalMinutes: number[] = [0];
  private readonly weekMs: number;
  private readonly holidays: Holiday[];
  private readonly segmentCache = new Map<DayNum, Segment[]>();
  private readonly dayCache = new Map<number, DayNum>();
  private readonly specialDaysByYear = new Map<number, DayNum[]>();
  private readonly holidayDaysByYear = new Map<number, Map<DayNum, [number, number][]>>();

  constructor(hours: WeeklyHours, holidays: HolidaySpec[] = []) {
    this.hours = hours;
    const zone = IANAZone.create(hours.timeZone);
    if (!zone.isValid) {
      throw new BusinessTimeError(`timeZone "${hours.timeZone}" is not an IANA time zone`);
    }
    this.zone = zone;
    let week = 0;
    for (const name of DAY_NAMES) {
      const day = hours.days[name];
      if (!day) {
        this.windows.push(null);
        this.nominalMinutes.push(0);
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
      this.nominalMinutes.push(end - start);
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
    return this.segments(day).some(([a, b]) => ms >= a && ms < b);
  }

  /** BusinessHours.nextStartDate: `ms` when open, else the next opening. */
  nextStartDate(ms: number): number {
    this.assertInstant(ms, 'target');
    this.assertOpen();
    let day = this.localDay(ms);
    for (let i = 0; i <= MAX_CLOSED_DAYS; i++, day++) {
      for (const [a, b] of this.segments(day)) {
        if (ms < b) return Math.max(a, ms);
      }
    }
    throw this.neverOpen();
  }

  /** Open business minutes of a whole local date (holidays applied), e.g. for reports. */
  openMsOnDate(isoDate: string): number {
    const day = parseIsoDate(isoDate, 'date');
    return this.segments(day).reduce((sum, [a, b]) => sum + (b - a), 0);
  }

  private assertInstant(ms: number, what: string): void {
    if (!Number.isFinite(ms)) throw new BusinessTimeError(`${what} is not a valid instant: ${ms}`);
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

  private localDay(ms: number): DayNum {
    // the same instants come back through isWithin, nextStartDate, add and diff: remember them
    const known = this.dayCache.get(ms);
    if (known !== undefined) return known;
    const dt = DateTime.fromMillis(ms, { zone: this.zone });
    const day = dayNumOf(dt.year, dt.month, dt.day);
    if (this.dayCache.size > 50_000) this.dayCache.clear();
    this.dayCache.set(ms, day);
    return day;
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
    return this.holidayDaysOfYear(civilOf(day).year).get(day) ?? [];
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
   * Dates of one calendar year whose open time may differ from the nominal week: holiday dates
   * and the dates on either side of each UTC-offset change. Computed once per year.
   */
  private specialDaysOfYear(year: number): DayNum[] {
    const cached = this.specialDaysByYear.get(year);
    if (cached) return cached;
    const days = new Set<DayNum>(this.holidayDaysOfYear(year).keys());
    // offset changes: sample every 7 days, then bisect each change down to the minute
    const start = Date.UTC(year, 0, 1) - 2 * 86_400_000;
    const end = Date.UTC(year + 1, 0, 1) + 2 * 86_400_000;
    const step = 7 * 86_400_000;
    let t0 = start;
    let o0 = this.zone.offset(t0);
    while (t0 < end) {
      const t1 = Math.min(t0 + step, end);
      const o1 = this.zone.offset(t1);
      if (o1 !== o0) {
        let lo = t0;
        let hi = t1;
        while (hi - lo > MINUTE_MS) {
          const mid = lo + Math.floor((hi - lo) / 2);
          if (this.zone.offset(mid) === o0) lo = mid;
          else hi = mid;
        }
        for (const d of [this.localDay(lo), this.localDay(hi)]) {
          days.add(d - 1);
          days.add(d);
          days.add(d + 1);
        }
      }
      t0 = t1;
      o0 = o1;
    }
    const first = dayNumOf(year, 1, 1);
    const last = dayNumOf(year + 1, 1, 1) - 1;
    const list = [...days].filter((d) => d >= first && d <= last).sort((a, b) => a - b);
    this.specialDaysByYear.set(year, list);
    return list;
  }

  private dayOpenMs(day: DayNum): number {
    return this.segments(day).reduce((sum, [a, b]) => sum + (b - a), 0);
  }

  /** Open ms of the local dates from..to inclusive: whole weeks by arithmetic plus corrections. */
  private openMsOfDays(from: DayNum, to: DayNum): number {
    if (to < from) return 0;
    const count = to - from + 1;
    const weeks = Math.floor(count / 7);
    let total = weeks * this.weekMs;
    for (let d = from + weeks * 7; d <= to; d++) {
      total += this.nominalMinutes[isoWeekday(d)] * MINUTE_MS;
    }
    const firstYear = civilOf(from).year;
    const lastYear = civilOf(to).year;
    for (let y = firstYear; y <= lastYear; y++) {
      for (const d of this.specialDaysOfYear(y)) {
        if (d < from || d > to) continue;
        total += this.dayOpenMs(d) - this.nominalMinutes[isoWeekday(d)] * MINUTE_MS;
      }
    }
    return total;
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
    let at = this.nextStartDate(startMs);
    let remaining = intervalMs;
    // jump whole weeks while far from the target; the exact business time of the jump comes
    // from diff(), so holidays and DST inside the jump are accounted for
    const weeks = Math.floor(remaining / this.weekMs) - 1;
    if (weeks >= 1) {
      const jumped = this.nextStartDate(
        DateTime.fromMillis(at, { zone: this.zone }).plus({ weeks }).toMillis()
      );
      const gained = this.diffOrdered(at, jumped);
      if (gained <= remaining) {
        at = jumped;
        remaining -= gained;
      }
    }
    let day = this.localDay(at);
    let idle = 0;
    for (;;) {
      let opened = false;
      for (const [a, b] of this.segments(day)) {
        if (b <= at) continue;
        opened = true;
        const from = Math.max(a, at);
        if (remaining <= b - from) return from + remaining;
        remaining -= b - from;
        at = b;
      }
      idle = opened ? 0 : idle + 1;
      if (idle > MAX_CLOSED_DAYS) throw this.neverOpen();
      day++;
    }
  }

  private addBackward(startMs: number, intervalMs: number): number {
    this.assertOpen();
    let at = startMs;
    let remaining = intervalMs;
    const weeks = Math.floor(remaining / this.weekMs) - 1;
    if (weeks >= 1) {
      const jumped = DateTime.fromMillis(at, { zone: this.zone }).minus({ weeks }).toMillis();
      const gained = this.diffOrdered(jumped, at);
      if (gained <= remaining) {
        at = jumped;
        remaining -= gained;
      }
    }
    let day = this.localDay(at);
    let idle = 0;
    for (;;) {
      let opened = false;
      const segs = this.segments(day);
      for (let i = segs.length - 1; i >= 0; i--) {
        const [a, b] = segs[i];
        if (a >= at) continue;
        opened = true;
        const to = Math.min(b, at);
        if (remaining <= to - a) return to - remaining;
        remaining -= to - a;
        at = a;
      }
      idle = opened ? 0 : idle + 1;
      if (idle > MAX_CLOSED_DAYS) throw this.neverOpen();
      day--;
    }
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
