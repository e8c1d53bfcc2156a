// Business-time engine: worked examples derived by hand, then properties checked with fast-check.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import {
  BusinessCalendar,
  BusinessTimeError,
  DAY_NAMES,
  holidayFromRecord,
  weekdayHours,
  weeklyHoursFromRecord,
  type DayName,
  type HolidaySpec,
  type WeeklyHours
} from '../../scripts/lib/business-time.ts';

const NY = 'America/New_York';
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Instant of a wall-clock time in a zone, e.g. at(NY, '2026-11-20T18:00'). */
function at(zone: string, local: string): number {
  const dt = DateTime.fromISO(local, { zone });
  assert.ok(dt.isValid, `bad test time ${local}`);
  return dt.toMillis();
}
function local(zone: string, ms: number): string {
  return DateTime.fromMillis(ms, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");
}
function allDays(hours: { start: string; end: string } | null): Record<DayName, typeof hours> {
  return Object.fromEntries(DAY_NAMES.map((d) => [d, hours])) as Record<DayName, typeof hours>;
}

const nineToFive = weekdayHours(NY, '09:00', '17:00');

describe('business-time worked examples', () => {
  it('a lead arriving Friday evening starts its clock at Monday 09:00', () => {
    // Mon-Fri 09:00-17:00 New York. Arrival Fri 2026-11-20 18:00: closed (after 17:00), the
    // weekend is closed, so the next opening is Mon 2026-11-23 09:00 and 30 business minutes
    // later is 09:30. A touch at Mon 10:00 is 60 business minutes after arrival.
    const cal = new BusinessCalendar(nineToFive);
    const arrival = at(NY, '2026-11-20T18:00');
    assert.equal(cal.isWithin(arrival), false);
    assert.equal(local(NY, cal.nextStartDate(arrival)), '2026-11-23T09:00');
    assert.equal(local(NY, cal.add(arrival, 30 * MIN)), '2026-11-23T09:30');
    assert.equal(cal.diff(arrival, at(NY, '2026-11-23T10:00')), 60 * MIN);
    // going back: 60 business minutes before Mon 09:30 is 30 min Monday + 30 min Friday = 16:30
    assert.equal(local(NY, cal.add(at(NY, '2026-11-23T09:30'), -60 * MIN)), '2026-11-20T16:30');
  });

  it('skips an all-day holiday and a partial one', () => {
    // Thanksgiving Thu 2026-11-26 closed all day; Christmas Eve Thu 2026-12-24 closes at noon
    // (720 minutes after midnight) until the end of the day.
    const cal = new BusinessCalendar(nineToFive, [
      { name: 'Thanksgiving', activityDate: '2026-11-26', isAllDay: true },
      {
        name: 'Christmas Eve',
        activityDate: '2026-12-24',
        isAllDay: false,
        startTimeInMinutes: 720,
        endTimeInMinutes: 1440
      }
    ]);
    // Wed 16:30 + 60 min: 30 min on Wednesday (to 17:00), Thursday closed, 30 min Friday -> 09:30
    assert.equal(local(NY, cal.add(at(NY, '2026-11-25T16:30'), 60 * MIN)), '2026-11-27T09:30');
    // Wed 09:00 -> Fri 17:00 is Wednesday 8 h + Friday 8 h
    assert.equal(cal.diff(at(NY, '2026-11-25T09:00'), at(NY, '2026-11-27T17:00')), 16 * HOUR);
    assert.equal(cal.isWithin(at(NY, '2026-11-26T11:00')), false);
    // Christmas Eve: open 09:00-12:00 only, 3 h; Thu 11:00 + 2 h = 1 h Thursday + 1 h Friday
    assert.equal(cal.diff(at(NY, '2026-12-24T09:00'), at(NY, '2026-12-24T17:00')), 3 * HOUR);
    assert.equal(local(NY, cal.add(at(NY, '2026-12-24T11:00'), 2 * HOUR)), '2026-12-25T10:00');
    assert.equal(cal.isWithin(at(NY, '2026-12-24T12:00')), false);
    // the whole year 2026: 261 weekdays x 8 h, less Thanksgiving (8 h) and half of Christmas Eve (5 h)
    assert.equal(
      cal.diff(at(NY, '2026-01-01T00:00'), at(NY, '2027-01-01T00:00')),
      (261 * 8 - 8 - 5) * HOUR
    );
  });

  it('counts real elapsed time across the New York daylight-saving weekends', () => {
    // 24 hours a day, every day. Clocks go 02:00 -> 03:00 on Sun 2026-03-08, so Sat noon to Sun
    // noon is 23 real hours; they go back 02:00 -> 01:00 on Sun 2026-11-01, so that day has 25.
    const always = new BusinessCalendar({
      timeZone: NY,
      days: allDays({ start: '00:00', end: '00:00' })
    });
    assert.equal(always.diff(at(NY, '2026-03-07T12:00'), at(NY, '2026-03-08T12:00')), 23 * HOUR);
    assert.equal(local(NY, always.add(at(NY, '2026-03-07T12:00'), 24 * HOUR)), '2026-03-08T13:00');
    assert.equal(always.diff(at(NY, '2026-10-31T12:00'), at(NY, '2026-11-01T12:00')), 25 * HOUR);
    // A whole year of an always-open calendar is the real length of the year: 365 x 24 h
    assert.equal(always.diff(at(NY, '2026-01-01T00:00'), at(NY, '2027-01-01T00:00')), 8760 * HOUR);
    // Nine-to-five: Fri 2026-03-06 16:00 EST to Mon 2026-03-09 10:00 EDT is 65 real hours but
    // 2 business hours (16:00-17:00 Friday, 09:00-10:00 Monday); Monday opens at 09:00 EDT = 13:00Z.
    const cal = new BusinessCalendar(nineToFive);
    const fri = at(NY, '2026-03-06T16:00');
    const mon = at(NY, '2026-03-09T10:00');
    assert.equal(mon - fri, 65 * HOUR);
    assert.equal(cal.diff(fri, mon), 2 * HOUR);
    assert.equal(
      new Date(cal.nextStartDate(at(NY, '2026-03-07T12:00'))).toISOString(),
      '2026-03-09T13:00:00.000Z'
    );
  });

  it('joins consecutive 24-hour days and skips closed days', () => {
    // Open Saturday 24 h and Monday 24 h in UTC, everything else closed.
    const days = allDays(null);
    days.saturday = { start: '00:00', end: '00:00' };
    days.monday = { start: '00:00', end: '00:00' };
    days.sunday = { start: '00:00', end: '00:00' };
    const cal = new BusinessCalendar({ timeZone: 'UTC', days });
    const u = (s: string): number => at('UTC', s);
    // Fri 2026-11-20 20:00 + 25 h: opens Sat 00:00; Sat, Sun, Mon are one 72 h block -> Sun 01:00
    assert.equal(local('UTC', cal.add(u('2026-11-20T20:00'), 25 * HOUR)), '2026-11-22T01:00');
    // + 73 h: the whole 72 h block, then Tuesday-Friday closed, 1 h into the next Saturday
    assert.equal(local('UTC', cal.add(u('2026-11-20T20:00'), 73 * HOUR)), '2026-11-28T01:00');
    assert.equal(cal.isWithin(u('2026-11-22T00:00')), true); // Sunday midnight, inside the block
    assert.equal(cal.isWithin(u('2026-11-24T00:00')), false); // Tuesday 00:00 is the block's end
    assert.equal(cal.diff(u('2026-11-20T00:00'), u('2026-11-27T00:00')), 72 * HOUR);
  });

  it('honours a calendar open only some days in London', () => {
    // Tue-Thu 10:00-16:00 Europe/London (BST in June): 18 h a week.
    const days = allDays(null);
    for (const d of ['tuesday', 'wednesday', 'thursday'] as const) {
      days[d] = { start: '10:00', end: '16:00' };
    }
    const cal = new BusinessCalendar({ timeZone: 'Europe/London', days });
    const l = (s: string): number => at('Europe/London', s);
    assert.equal(
      local('Europe/London', cal.nextStartDate(l('2026-06-01T12:00'))),
      '2026-06-02T10:00'
    );
    assert.equal(cal.diff(l('2026-06-01T00:00'), l('2026-06-08T00:00')), 18 * HOUR);
    // 18 h from Monday lands on Thursday 16:00 (the closing minute, not the next Tuesday)
    assert.equal(
      local('Europe/London', cal.add(l('2026-06-01T12:00'), 18 * HOUR)),
      '2026-06-04T16:00'
    );
  });

  it('expands recurring holidays from the Holiday recurrence fields', () => {
    const recurring: HolidaySpec[] = [
      {
        name: 'New Year',
        activityDate: '2020-01-01',
        isAllDay: true,
        isRecurrence: true,
        recurrenceType: 'RecursYearly',
        recurrenceMonthOfYear: 'January',
        recurrenceDayOfMonth: 1,
        recurrenceStartDate: '2020-01-01'
      },
      {
        // fourth Thursday of November (Thursday = 16 in the day-of-week mask)
        name: 'Thanksgiving',
        activityDate: '2020-11-26',
        isAllDay: true,
        isRecurrence: true,
        recurrenceType: 'RecursYearlyNth',
        recurrenceInstance: 'Fourth',
        recurrenceDayOfWeekMask: 16,
        recurrenceMonthOfYear: 'November'
      },
      {
        // last Friday of every month, afternoon off (13:00-17:00)
        name: 'Team afternoon',
        activityDate: '2026-01-30',
        isAllDay: false,
        startTimeInMinutes: 780,
        endTimeInMinutes: 1020,
        isRecurrence: true,
        recurrenceType: 'RecursMonthlyNth',
        recurrenceInstance: 'Last',
        recurrenceDayOfWeekMask: 32,
        recurrenceInterval: 1
      },
      {
        // every other Wednesday from 2026-01-07, until 2026-01-31
        name: 'Offsite',
        activityDate: '2026-01-07',
        isAllDay: true,
        isRecurrence: true,
        recurrenceType: 'RecursWeekly',
        recurrenceInterval: 2,
        recurrenceDayOfWeekMask: 8,
        recurrenceEndDateOnly: '2026-01-31'
      }
    ];
    const cal = new BusinessCalendar(nineToFive, recurring);
    assert.equal(cal.openMsOnDate('2027-01-01'), 0); // Friday, New Year
    assert.equal(cal.openMsOnDate('2026-12-31'), 8 * HOUR);
    assert.equal(cal.openMsOnDate('2027-11-25'), 0); // fourth Thursday
    assert.equal(cal.openMsOnDate('2027-11-18'), 8 * HOUR); // third Thursday
    assert.equal(cal.openMsOnDate('2026-07-31'), 4 * HOUR); // last Friday of July: 09:00-13:00
    assert.equal(cal.openMsOnDate('2026-07-24'), 8 * HOUR);
    assert.equal(cal.openMsOnDate('2026-01-07'), 0); // offsite week 0
    assert.equal(cal.openMsOnDate('2026-01-14'), 8 * HOUR); // off week
    assert.equal(cal.openMsOnDate('2026-01-21'), 0); // offsite week 2
    assert.equal(cal.openMsOnDate('2026-02-04'), 8 * HOUR); // after the end date
  });

  it('measures diff and add over centuries exactly', () => {
    // 400 Gregorian years are exactly 146 097 days = 20 871 weeks: Mon-Fri 8 h in UTC gives
    // 20 871 x 40 h. (Their cost, independent of the span, is measured by `npm run bench --
    // business-time`, not asserted here.)
    const cal = new BusinessCalendar(weekdayHours('UTC', '09:00', '17:00'));
    const span = cal.diff(Date.UTC(2000, 0, 1), Date.UTC(2400, 0, 1));
    assert.equal(span, 20_871 * 40 * HOUR);
    assert.equal(cal.add(Date.UTC(2000, 0, 3, 9), 20_871 * 40 * HOUR), Date.UTC(2399, 11, 31, 17));
  });

  it('ignores interval precision below one minute and returns start for a zero interval', () => {
    const cal = new BusinessCalendar(nineToFive);
    const t = at(NY, '2026-11-23T10:00');
    assert.equal(cal.add(t, 90_000), t + MIN); // 1.5 min -> 1 min
    assert.equal(cal.add(t, -90_000), t - MIN);
    const saturday = at(NY, '2026-11-21T12:00');
    assert.equal(cal.add(saturday, 59_999), saturday);
    assert.equal(cal.diff(at(NY, '2026-11-23T12:00'), at(NY, '2026-11-23T10:00')), -2 * HOUR);
  });

  it('reads BusinessHours and Holiday records as the API returns them', () => {
    const hours = weeklyHoursFromRecord({
      TimeZoneSidKey: 'America/Chicago',
      MondayStartTime: '08:30:00.000Z',
      MondayEndTime: '17:00:00.000Z',
      SaturdayStartTime: '00:00:00.000Z',
      SaturdayEndTime: '00:00:00.000Z',
      SundayStartTime: null
    });
    assert.equal(hours.timeZone, 'America/Chicago');
    assert.deepEqual(hours.days.monday, { start: '08:30', end: '17:00' });
    assert.deepEqual(hours.days.saturday, { start: '00:00', end: '00:00' });
    assert.equal(hours.days.sunday, null);
    assert.equal(hours.days.tuesday, null);
    const holiday = holidayFromRecord({
      Name: 'Boxing Day',
      ActivityDate: '2026-12-26',
      IsAllDay: true,
      IsRecurrence: 'true',
      RecurrenceType: 'RecursYearly',
      RecurrenceMonthOfYear: 'December',
      RecurrenceDayOfMonth: '26',
      StartTimeInMinutes: ''
    });
    assert.deepEqual(
      [
        holiday.isAllDay,
        holiday.isRecurrence,
        holiday.recurrenceDayOfMonth,
        holiday.startTimeInMinutes
      ],
      [true, true, 26, undefined]
    );
    // Saturday 2027-12-25 is open 24 h, but the next day's recurring holiday is not a Saturday
    const cal = new BusinessCalendar(hours, [holiday]);
    assert.equal(cal.openMsOnDate('2027-12-25'), 24 * HOUR);
    assert.equal(cal.openMsOnDate('2028-12-25'), 8.5 * HOUR, 'Monday 08:30-17:00');
  });

  it('rejects hours and holidays it cannot interpret, naming the field', () => {
    assert.throws(
      () => new BusinessCalendar({ ...nineToFive, timeZone: 'Mars/Olympus' }),
      (e: unknown) => e instanceof BusinessTimeError && /Mars\/Olympus/.test(e.message)
    );
    assert.throws(
      () => new BusinessCalendar(weekdayHours(NY, '17:00', '09:00')),
      /monday: start 17:00 must be before end 09:00/
    );
    assert.throws(
      () =>
        new BusinessCalendar(nineToFive, [
          { name: 'X', activityDate: '2026-02-30', isAllDay: true }
        ]),
      /holiday 1 \(X\) activityDate: "2026-02-30" is not a calendar date/
    );
    assert.throws(
      () =>
        new BusinessCalendar(nineToFive, [
          { name: 'P', activityDate: '2026-02-03', isAllDay: false }
        ]),
      /needs startTimeInMinutes and endTimeInMinutes/
    );
    const closed = new BusinessCalendar({ timeZone: NY, days: allDays(null) });
    assert.throws(() => closed.add(0, HOUR), /closed every day/);
  });
});

// ---- properties -------------------------------------------------------------------------------

const ZONES = ['America/New_York', 'Europe/London', 'Asia/Kolkata', 'Australia/Sydney', 'UTC'];
const clock = (m: number): string =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** Day hours on a 15-minute grid: closed, 24 hours, or start < end. */
const dayArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constant({ start: '00:00', end: '00:00' }) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 95 }), fc.integer({ min: 1, max: 96 }))
      .filter(([a, b]) => a < b)
      .map(([a, b]) => ({ start: clock(a * 15), end: b === 96 ? '00:00' : clock(b * 15) }))
  }
);
const hoursArb: fc.Arbitrary<WeeklyHours> = fc
  .record({
    timeZone: fc.constantFrom(...ZONES),
    days: fc.tuple(dayArb, dayArb, dayArb, dayArb, dayArb, dayArb, dayArb)
  })
  .filter(({ days }) => days.some((d) => d !== null))
  .map(({ timeZone, days }) => ({
    timeZone,
    days: Object.fromEntries(DAY_NAMES.map((n, i) => [n, days[i]])) as WeeklyHours['days']
  }));
const holidayArb: fc.Arbitrary<HolidaySpec> = fc
  .record({
    day: fc.integer({ min: 0, max: 3 * 365 }),
    allDay: fc.boolean(),
    from: fc.integer({ min: 0, max: 94 }),
    len: fc.integer({ min: 1, max: 40 }),
    yearly: fc.boolean()
  })
  .map(({ day, allDay, from, len, yearly }) => {
    const date = DateTime.fromMillis(Date.UTC(2025, 0, 1) + day * 86_400_000, { zone: 'UTC' });
    return {
      name: `H${day}`,
      activityDate: date.toISODate() as string,
      isAllDay: allDay,
      startTimeInMinutes: allDay ? undefined : from * 15,
      endTimeInMinutes: allDay ? undefined : Math.min(96, from + len) * 15,
      ...(yearly
        ? {
            isRecurrence: true,
            recurrenceType: 'RecursYearly' as const,
            recurrenceMonthOfYear: date.monthLong ?? 'January',
            recurrenceDayOfMonth: date.day
          }
        : {})
    };
  });
const calendarArb = fc
  .tuple(hoursArb, fc.array(holidayArb, { maxLength: 6 }))
  .map(([hours, holidays]) => new BusinessCalendar(hours, holidays));
const instantArb = fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2027, 11, 31) });
const minutesArb = fc.integer({ min: 0, max: 200_000 });

describe('business-time properties', () => {
  it('diff(t, add(t, x)) == x for business-open t', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, minutesArb, (cal, raw, minutes) => {
        const t = cal.nextStartDate(raw);
        assert.equal(cal.isWithin(t), true);
        assert.equal(cal.diff(t, cal.add(t, minutes * MIN)), minutes * MIN);
      }),
      { numRuns: 150 }
    );
  });

  it('going back: diff(add(t, -x), t) == x for business-open t', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, minutesArb, (cal, raw, minutes) => {
        const t = cal.nextStartDate(raw);
        assert.equal(cal.diff(cal.add(t, -minutes * MIN), t), minutes * MIN);
      }),
      { numRuns: 150 }
    );
  });

  it('add is monotonic in the interval and diff in the end', () => {
    fc.assert(
      fc.property(
        calendarArb,
        instantArb,
        minutesArb,
        minutesArb,
        fc.integer({ min: 0, max: 40 * 86_400_000 }),
        (cal, t, a, b, gap) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          assert.ok(cal.add(t, lo * MIN) <= cal.add(t, hi * MIN));
          assert.ok(cal.add(t, -hi * MIN) <= cal.add(t, -lo * MIN));
          assert.ok(cal.diff(t, t + gap) <= cal.diff(t, t + gap + 3 * HOUR));
        }
      ),
      { numRuns: 150 }
    );
  });

  it('add(add(t, a), b) == add(t, a + b) for non-negative a, b', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, minutesArb, minutesArb, (cal, t, a, b) => {
        assert.equal(cal.add(cal.add(t, a * MIN), b * MIN), cal.add(t, (a + b) * MIN));
      }),
      { numRuns: 150 }
    );
  });

  it('diff is additive and antisymmetric: diff(a,b) + diff(b,c) == diff(a,c)', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, instantArb, instantArb, (cal, a, b, c) => {
        assert.equal(cal.diff(a, b) + cal.diff(b, c), cal.diff(a, c));
        assert.equal(cal.diff(a, b), 0 - cal.diff(b, a));
      }),
      { numRuns: 150 }
    );
  });

  it('diff over weeks equals counting open 15-minute blocks with isWithin', () => {
    // Every boundary (hours, holidays, DST in these zones) is on a 15-minute grid, so a block is
    // open or closed as a whole: an independent, slow reference for the week arithmetic.
    fc.assert(
      fc.property(
        calendarArb,
        fc.integer({
          min: Date.UTC(2025, 0, 1) / (15 * MIN),
          max: Date.UTC(2027, 11, 1) / (15 * MIN)
        }),
        fc.integer({ min: 0, max: 45 * 96 }),
        (cal, startBlock, blocks) => {
          const start = startBlock * 15 * MIN;
          let expected = 0;
          for (let i = 0; i < blocks; i++)
            if (cal.isWithin(start + i * 15 * MIN)) expected += 15 * MIN;
          assert.equal(cal.diff(start, start + blocks * 15 * MIN), expected);
        }
      ),
      { numRuns: 25 }
    );
  });
});

// ---- add against a straightforward reference ----------------------------------------------------

/**
 * Holidays of every recurrence shape the engine expands, on the 15-minute grid: one-off, yearly,
 * weekly every few weeks (with an end date), the last weekday of every month, daily for a week.
 */
const recurringHolidayArb: fc.Arbitrary<HolidaySpec> = fc
  .record({
    day: fc.integer({ min: 0, max: 4 * 365 }),
    allDay: fc.boolean(),
    from: fc.integer({ min: 0, max: 94 }),
    len: fc.integer({ min: 1, max: 40 }),
    kind: fc.constantFrom('once', 'yearly', 'weekly', 'monthlyLast', 'dailyWeek')
  })
  .map(({ day, allDay, from, len, kind }): HolidaySpec => {
    const date = DateTime.fromMillis(Date.UTC(2024, 6, 1) + day * 86_400_000, { zone: 'UTC' });
    const weekdayBit = 1 << date.weekday % 7;
    const spec: HolidaySpec = {
      name: `${kind} ${date.toISODate()}`,
      activityDate: date.toISODate() as string,
      isAllDay: allDay,
      startTimeInMinutes: allDay ? undefined : from * 15,
      endTimeInMinutes: allDay ? undefined : Math.min(96, from + len) * 15
    };
    const recurrence: Partial<HolidaySpec> = {
      once: {},
      yearly: {
        recurrenceType: 'RecursYearly',
        recurrenceMonthOfYear: date.monthLong ?? 'January',
        recurrenceDayOfMonth: date.day
      },
      weekly: {
        recurrenceType: 'RecursWeekly',
        recurrenceInterval: 3,
        recurrenceDayOfWeekMask: weekdayBit,
        recurrenceEndDateOnly: date.plus({ months: 10 }).toISODate() as string
      },
      monthlyLast: {
        recurrenceType: 'RecursMonthlyNth',
        recurrenceInstance: 'Last',
        recurrenceDayOfWeekMask: weekdayBit
      },
      dailyWeek: {
        recurrenceType: 'RecursDaily',
        recurrenceEndDateOnly: date.plus({ days: 6 }).toISODate() as string
      }
    }[kind] as Partial<HolidaySpec>;
    return kind === 'once' ? spec : { ...spec, isRecurrence: true, ...recurrence };
  });

interface CalendarCase {
  cal: BusinessCalendar;
  zone: string;
  /** wall-clock open minutes of a nominal week */
  weekMinutes: number;
}

const calendarCaseArb: fc.Arbitrary<CalendarCase> = fc
  .tuple(hoursArb, fc.array(recurringHolidayArb, { maxLength: 8 }))
  .map(([hours, holidays]) => {
    const minutesOf = (hhmm: string): number => {
      const [h, m] = hhmm.split(':').map(Number);
      return h * 60 + m;
    };
    let weekMinutes = 0;
    for (const name of DAY_NAMES) {
      const day = hours.days[name];
      if (day) weekMinutes += (minutesOf(day.end) || 1440) - minutesOf(day.start);
    }
    return { cal: new BusinessCalendar(hours, holidays), zone: hours.timeZone, weekMinutes };
  });

/** Spans in business minutes: minutes, days' worth, and up to three years' worth of weeks. */
const spanArb = (weekMinutes: number): fc.Arbitrary<number> =>
  fc.oneof(
    fc.integer({ min: 1, max: 600 }),
    fc.integer({ min: 1, max: 3 * weekMinutes }),
    fc.integer({ min: 3 * weekMinutes, max: 157 * weekMinutes })
  );

const BLOCK = 15 * MIN;

/** The ISO date `offset` dates after `iso`. */
function isoAfter(iso: string, offset: number): string {
  const [y, m, d] = iso.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + offset)).toISOString().slice(0, 10);
}
/** The instant of a local midnight (every zone under test has one each night). */
function midnightOf(zone: string, iso: string): number {
  return at(zone, `${iso}T00:00`);
}

/**
 * BusinessHours.add the slow and obvious way: walk the start's date and the result's date in
 * 15-minute blocks (every boundary of these calendars is on that grid, so isWithin at a block's
 * start answers for the whole block) and skip the dates in between whole, by their open time.
 */
function referenceAdd(c: CalendarCase, start: number, minutes: number): number {
  if (minutes === 0) return start;
  const forward = minutes > 0;
  let remaining = Math.abs(minutes) * MIN;
  const startIso = DateTime.fromMillis(start, { zone: c.zone }).toISODate() as string;
  let offset = 0;
  let cursor = start;
  for (let guard = 0; guard < 20_000; guard++) {
    const limit = midnightOf(c.zone, isoAfter(startIso, forward ? offset + 1 : offset));
    while (forward ? cursor < limit : cursor > limit) {
      const next = forward
        ? Math.min(limit, (Math.floor(cursor / BLOCK) + 1) * BLOCK)
        : Math.max(limit, (Math.ceil(cursor / BLOCK) - 1) * BLOCK);
      const length = Math.abs(next - cursor);
      if (c.cal.isWithin(forward ? cursor : next)) {
        if (remaining <= length) return forward ? cursor + remaining : cursor - remaining;
        remaining -= length;
      }
      cursor = next;
    }
    // whole dates whose open time does not reach the end
    offset += forward ? 1 : -1;
    for (;;) {
      const open = c.cal.openMsOnDate(isoAfter(startIso, offset));
      if (open >= remaining) break;
      remaining -= open;
      offset += forward ? 1 : -1;
    }
    cursor = midnightOf(c.zone, isoAfter(startIso, forward ? offset : offset + 1));
  }
  throw new Error('reference walk did not end');
}

/** BusinessHours.nextStartDate the slow way: the first open 15-minute block from `t` on. */
function referenceNextStart(c: CalendarCase, t: number): number {
  let cursor = t;
  for (let i = 0; i < 20 * 96; i++) {
    if (c.cal.isWithin(cursor)) return cursor;
    cursor = (Math.floor(cursor / BLOCK) + 1) * BLOCK;
  }
  // then whole closed dates
  const startIso = DateTime.fromMillis(cursor, { zone: c.zone }).toISODate() as string;
  for (let offset = 1; offset < 3 * 366; offset++) {
    const iso = isoAfter(startIso, offset);
    if (c.cal.openMsOnDate(iso) === 0) continue;
    for (cursor = midnightOf(c.zone, iso); ; cursor += BLOCK) {
      if (c.cal.isWithin(cursor)) return cursor;
    }
  }
  throw new Error('reference found no opening');
}

describe('business-time add against the reference walk', () => {
  const startArb = fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2027, 11, 31) });

  it('forward over minutes to three years matches, holidays and daylight saving included', () => {
    fc.assert(
      fc.property(
        calendarCaseArb.chain((c) => fc.tuple(fc.constant(c), startArb, spanArb(c.weekMinutes))),
        ([c, start, minutes]) => {
          assert.equal(
            c.cal.add(start, minutes * MIN),
            referenceAdd(c, start, minutes),
            `${c.zone} +${minutes} min from ${new Date(start).toISOString()}`
          );
        }
      ),
      { numRuns: 120 }
    );
  });

  it('backward over minutes to three years matches', () => {
    fc.assert(
      fc.property(
        calendarCaseArb.chain((c) => fc.tuple(fc.constant(c), startArb, spanArb(c.weekMinutes))),
        ([c, start, minutes]) => {
          assert.equal(
            c.cal.add(start, -minutes * MIN),
            referenceAdd(c, start, -minutes),
            `${c.zone} -${minutes} min from ${new Date(start).toISOString()}`
          );
        }
      ),
      { numRuns: 120 }
    );
  });

  it('nextStartDate matches the first open block', () => {
    fc.assert(
      fc.property(calendarCaseArb, startArb, (c, t) => {
        assert.equal(c.cal.nextStartDate(t), referenceNextStart(c, t));
      }),
      { numRuns: 150 }
    );
  });

  it('walks a holiday closure of two years, and treats more than three years as never open', () => {
    const closure = (from: string, to: string): HolidaySpec => ({
      name: 'Closed',
      activityDate: from,
      isAllDay: true,
      isRecurrence: true,
      recurrenceType: 'RecursDaily',
      recurrenceEndDateOnly: to
    });
    // closed 2026-01-01 .. 2027-12-31 (730 dates); 2028-01-03 is the next Monday
    const twoYears = new BusinessCalendar(nineToFive, [closure('2026-01-01', '2027-12-31')]);
    const before = at(NY, '2025-12-31T16:00');
    const after = at(NY, '2028-01-03T10:00');
    assert.equal(local(NY, twoYears.add(before, 2 * HOUR)), '2028-01-03T10:00');
    assert.equal(local(NY, twoYears.add(after, -2 * HOUR)), '2025-12-31T16:00');
    assert.equal(twoYears.diff(before, after), 2 * HOUR);
    assert.equal(local(NY, twoYears.nextStartDate(at(NY, '2026-06-01T12:00'))), '2028-01-03T09:00');
    // closed 2026-01-01 .. 2029-12-31: more than MAX_CLOSED_DAYS (1098) dates without open time
    const fourYears = new BusinessCalendar(nineToFive, [closure('2026-01-01', '2029-12-31')]);
    const never = /have no open time for 1098 days/;
    assert.throws(() => fourYears.nextStartDate(at(NY, '2026-06-01T12:00')), never);
    assert.throws(() => fourYears.add(before, 2 * HOUR), never);
    // back from Wed 2030-01-02 10:00: 1 h that day, 8 h on Tue 2030-01-01, then the closure
    assert.throws(() => fourYears.add(at(NY, '2030-01-02T10:00'), -10 * HOUR), never);
    // time on either side of the closure is still reachable
    assert.equal(local(NY, fourYears.add(before, HOUR)), '2025-12-31T17:00');
    assert.equal(
      local(NY, fourYears.add(at(NY, '2030-01-02T10:00'), -9 * HOUR)),
      '2030-01-01T09:00'
    );
    // a closure that never ends is found without walking it
    const forever = new BusinessCalendar(nineToFive, [
      { ...closure('2026-01-01', '2026-01-01'), recurrenceEndDateOnly: undefined }
    ]);
    assert.throws(() => forever.add(before, 400 * HOUR), never);
  });

  it('sums years the same whichever ranges were asked for before', () => {
    // the engine keeps running sums over consecutive years; ask for far-apart and backward
    // ranges in a mixed order and compare each multi-year diff with the sum of its years
    const holidays: HolidaySpec[] = [
      {
        name: 'New Year',
        activityDate: '2020-01-01',
        isAllDay: true,
        isRecurrence: true,
        recurrenceType: 'RecursYearly',
        recurrenceMonthOfYear: 'January',
        recurrenceDayOfMonth: 1
      },
      { name: 'Offsite', activityDate: '2031-06-10', isAllDay: true }
    ];
    const days = allDays({ start: '00:00', end: '00:00' });
    days.saturday = null;
    const hours = { timeZone: 'Europe/London', days };
    const yearStart = (y: number): number => at('Europe/London', `${y}-01-01T00:00`);
    const perYear = (cal: BusinessCalendar, from: number, to: number): number => {
      let sum = 0;
      for (let y = from; y < to; y++) sum += cal.diff(yearStart(y), yearStart(y + 1));
      return sum;
    };
    const reference = new BusinessCalendar(hours, holidays);
    const cal = new BusinessCalendar(hours, holidays);
    for (const [from, to] of [
      [2026, 2030],
      [2020, 2035],
      [2200, 2204],
      [2024, 2028],
      [2010, 2016],
      [2012, 2038]
    ]) {
      const sum = perYear(reference, from, to);
      assert.equal(cal.diff(yearStart(from), yearStart(to)), sum, `diff ${from}-${to}`);
      // a calendar that saw nothing else gives the same adds
      const fresh = new BusinessCalendar(hours, holidays);
      assert.equal(cal.add(yearStart(from), sum), fresh.add(yearStart(from), sum));
      assert.equal(cal.add(yearStart(to), -sum), fresh.add(yearStart(to), -sum));
    }
  });

  it('adds over centuries, either way, from many starts', () => {
    // UTC Mon-Fri 8 h: 400 years are 20 871 weeks (see the diff test above)
    const cal = new BusinessCalendar(weekdayHours('UTC', '09:00', '17:00'));
    for (let i = 0; i < 100; i++) {
      const start = Date.UTC(2000, 0, 3 + 7 * i, 9);
      assert.equal(cal.add(start, 20_871 * 40 * HOUR), Date.UTC(2399, 11, 31 + 7 * i, 17));
      assert.equal(cal.add(Date.UTC(2399, 11, 31 + 7 * i, 17), -20_871 * 40 * HOUR), start);
    }
  });
});

// ---- local dates -------------------------------------------------------------------------------

describe('business-time local dates', () => {
  /** Offset changes of a zone in [from, to), found with luxon directly: a daily scan, bisected. */
  function luxonTransitions(zone: string, from: number, to: number): number[] {
    const offset = (ms: number): number => DateTime.fromMillis(ms, { zone }).offset;
    const found: number[] = [];
    for (let t = from; t < to; t += 86_400_000) {
      let [lo, hi] = [t, t + 86_400_000];
      if (offset(lo) === offset(hi)) continue;
      while (hi - lo > 1) {
        const mid = lo + Math.floor((hi - lo) / 2);
        if (offset(mid) === offset(lo)) lo = mid;
        else hi = mid;
      }
      found.push(hi);
    }
    return found;
  }

  it('agree with luxon at random instants and to the millisecond around every offset change', () => {
    for (const zone of ['America/New_York', 'Europe/London', 'Australia/Sydney', 'Asia/Kolkata']) {
      const cal = new BusinessCalendar(weekdayHours(zone, '09:00', '17:00'));
      const luxonDate = (ms: number): string =>
        DateTime.fromMillis(ms, { zone }).toISODate() as string;
      const changes = luxonTransitions(zone, Date.UTC(2025, 0, 1), Date.UTC(2028, 0, 1));
      // Kolkata keeps +05:30; the others change twice a year
      assert.equal(changes.length, zone === 'Asia/Kolkata' ? 0 : 6, zone);
      for (const t of changes) {
        for (const ms of [t - HOUR - 1, t - 1, t, t + 1, t + HOUR]) {
          assert.equal(cal.localDate(ms), luxonDate(ms), `${zone} at ${ms}`);
        }
      }
      fc.assert(
        fc.property(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2060, 0, 1) }), (ms) => {
          assert.equal(cal.localDate(ms), luxonDate(ms));
        }),
        { numRuns: 300 }
      );
    }
  });

  it('asks Intl for offsets per block of weeks, not per instant', () => {
    // Europe/Berlin is used by no other test here, so its offsets are learned from scratch
    const zone = IANAZone.create('Europe/Berlin');
    const proto = Object.getPrototypeOf(zone) as { offset: (ms: number) => number };
    const original = proto.offset;
    let calls = 0;
    proto.offset = function (this: IANAZone, ms: number): number {
      calls++;
      return original.call(this, ms);
    };
    try {
      const cal = new BusinessCalendar(weekdayHours('Europe/Berlin', '09:00', '17:00'));
      const year = Date.UTC(2026, 0, 1);
      const instants = (salt: number): number[] =>
        Array.from({ length: 10_000 }, (_, i) => year + ((i * 7_919_993 + salt) % (365 * DAY)));
      let open = 0;
      for (const ms of instants(1)) if (cal.isWithin(ms)) open++;
      const learning = calls;
      // the first pass learns the year's offsets (a sample a week, about 30 to bisect each of the
      // two changes) and, through luxon, the instants of each date's opening and closing
      assert.ok(learning > 0 && learning < 2_500, `learning a year took ${learning} offset calls`);
      for (const ms of instants(2)) if (cal.isWithin(ms)) open++;
      assert.equal(calls, learning, 'a known year needs no further offset calls');
      // about 40 of the 168 hours of a week are open
      assert.ok(open > 20_000 * 0.2 && open < 20_000 * 0.3, `${open} open instants`);
    } finally {
      proto.offset = original;
    }
  });

  it('formats the local date of an instant and rejects instants out of range', () => {
    const cal = new BusinessCalendar(nineToFive);
    assert.equal(cal.localDate(Date.UTC(2026, 10, 21, 4, 59)), '2026-11-20');
    assert.equal(cal.localDate(Date.UTC(2026, 10, 21, 5, 0)), '2026-11-21');
    assert.throws(() => cal.localDate(9e15), /instant 9000000000000000 is outside/);
    assert.throws(() => cal.add(0, Number.NaN), /interval is not a number/);
  });
});
