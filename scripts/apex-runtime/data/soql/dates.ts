/**
 * Date literal ranges and date functions, computed in a user's time zone (IANA name) with luxon.
 * The first day of the week is Sunday (the en_US locale the org fixture declares).
 */
import { DateTime } from 'luxon';
import type { DateFunctionName, DateLiteralName } from './ast.ts';

/** A half-open range of instants [startMs, endMs) and the same range as days [startDay, endDay). */
export interface DateRange {
  startMs: number;
  endMs: number;
  /** Epoch days (days since 1970-01-01) of the civil dates, for Date fields. */
  startDay: number;
  endDay: number;
}

function epochDay(d: DateTime): number {
  return Math.floor(Date.UTC(d.year, d.month - 1, d.day) / 86_400_000);
}

function range(start: DateTime, end: DateTime): DateRange {
  return {
    startMs: start.toMillis(),
    endMs: end.toMillis(),
    startDay: epochDay(start),
    endDay: epochDay(end)
  };
}

/** Midnight starting the current week (Sunday) in `zone`. */
function weekStart(today: DateTime): DateTime {
  return today.minus({ days: today.weekday % 7 });
}

function quarterStart(today: DateTime): DateTime {
  return today.set({ month: Math.floor((today.month - 1) / 3) * 3 + 1, day: 1 });
}

/**
 * The range a date literal stands for at instant `nowMs` in time zone `zone`.
 * LAST_N_DAYS:n covers today and the n days before it (what orgs return; see README).
 */
export function dateLiteralRange(
  name: DateLiteralName,
  n: number | null,
  nowMs: number,
  zone: string
): DateRange {
  const today = DateTime.fromMillis(nowMs, { zone }).startOf('day');
  const k = n ?? 0;
  const days = (a: number, b: number) => range(today.plus({ days: a }), today.plus({ days: b }));
  const week = weekStart(today);
  const month = today.startOf('month');
  const quarter = quarterStart(today);
  const year = today.startOf('year');
  switch (name) {
    case 'YESTERDAY':
      return days(-1, 0);
    case 'TODAY':
      return days(0, 1);
    case 'TOMORROW':
      return days(1, 2);
    case 'LAST_WEEK':
      return range(week.minus({ weeks: 1 }), week);
    case 'THIS_WEEK':
      return range(week, week.plus({ weeks: 1 }));
    case 'NEXT_WEEK':
      return range(week.plus({ weeks: 1 }), week.plus({ weeks: 2 }));
    case 'LAST_MONTH':
      return range(month.minus({ months: 1 }), month);
    case 'THIS_MONTH':
      return range(month, month.plus({ months: 1 }));
    case 'NEXT_MONTH':
      return range(month.plus({ months: 1 }), month.plus({ months: 2 }));
    case 'LAST_90_DAYS':
      return days(-90, 1);
    case 'NEXT_90_DAYS':
      return days(1, 91);
    case 'LAST_QUARTER':
      return range(quarter.minus({ months: 3 }), quarter);
    case 'THIS_QUARTER':
      return range(quarter, quarter.plus({ months: 3 }));
    case 'NEXT_QUARTER':
      return range(quarter.plus({ months: 3 }), quarter.plus({ months: 6 }));
    case 'LAST_YEAR':
      return range(year.minus({ years: 1 }), year);
    case 'THIS_YEAR':
      return range(year, year.plus({ years: 1 }));
    case 'NEXT_YEAR':
      return range(year.plus({ years: 1 }), year.plus({ years: 2 }));
    case 'LAST_N_DAYS':
      return days(-k, 1);
    case 'NEXT_N_DAYS':
      return days(1, k + 1);
    case 'N_DAYS_AGO':
      return days(-k, -k + 1);
    case 'LAST_N_WEEKS':
      return range(week.minus({ weeks: k }), week);
    case 'NEXT_N_WEEKS':
      return range(week.plus({ weeks: 1 }), week.plus({ weeks: k + 1 }));
    case 'N_WEEKS_AGO':
      return range(week.minus({ weeks: k }), week.minus({ weeks: k - 1 }));
    case 'LAST_N_MONTHS':
      return range(month.minus({ months: k }), month);
    case 'NEXT_N_MONTHS':
      return range(month.plus({ months: 1 }), month.plus({ months: k + 1 }));
    case 'N_MONTHS_AGO':
      return range(month.minus({ months: k }), month.minus({ months: k - 1 }));
    case 'LAST_N_QUARTERS':
      return range(quarter.minus({ months: 3 * k }), quarter);
    case 'NEXT_N_QUARTERS':
      return range(quarter.plus({ months: 3 }), quarter.plus({ months: 3 * (k + 1) }));
    case 'N_QUARTERS_AGO':
      return range(quarter.minus({ months: 3 * k }), quarter.minus({ months: 3 * (k - 1) }));
    case 'LAST_N_YEARS':
      return range(year.minus({ years: k }), year);
    case 'NEXT_N_YEARS':
      return range(year.plus({ years: 1 }), year.plus({ years: k + 1 }));
    case 'N_YEARS_AGO':
      return range(year.minus({ years: k }), year.minus({ years: k - 1 }));
  }
}

/**
 * A date function of a Date (epoch day) or Datetime (epoch ms) value. Datetimes are read in GMT
 * unless `zone` is given (the query wrapped the field in convertTimezone()).
 * Returns an Integer, or for DAY_ONLY the epoch day of the date.
 */
export function dateFunction(
  fn: DateFunctionName,
  value: { epochDay: number } | { epochMs: number },
  zone: string | null
): number {
  const dt =
    'epochDay' in value
      ? DateTime.fromMillis(value.epochDay * 86_400_000, { zone: 'UTC' })
      : DateTime.fromMillis(value.epochMs, { zone: zone ?? 'UTC' });
  switch (fn) {
    case 'CALENDAR_MONTH':
      return dt.month;
    case 'CALENDAR_QUARTER':
      return Math.floor((dt.month - 1) / 3) + 1;
    case 'CALENDAR_YEAR':
      return dt.year;
    case 'DAY_IN_MONTH':
      return dt.day;
    case 'DAY_IN_WEEK':
      // 1 = Sunday ... 7 = Saturday
      return (dt.weekday % 7) + 1;
    case 'DAY_IN_YEAR':
      return dt.ordinal;
    case 'DAY_ONLY':
      return epochDay(dt);
    case 'HOUR_IN_DAY':
      return dt.hour;
    case 'WEEK_IN_MONTH':
      // days 1-7 are week 1, 8-14 week 2, ...
      return Math.floor((dt.day - 1) / 7) + 1;
    case 'WEEK_IN_YEAR':
      return Math.floor((dt.ordinal - 1) / 7) + 1;
  }
}
