// Business-time engine: worked examples derived by hand, then properties checked with fast-check.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DateTime } from 'luxon';
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

  it('keeps diff over centuries as cheap as arithmetic', () => {
    // 400 Gregorian years are exactly 146 097 days = 20 871 weeks: Mon-Fri 8 h in UTC gives
    // 20 871 x 40 h. A day or minute loop over this span would take far longer than the bound.
    const cal = new BusinessCalendar(weekdayHours('UTC', '09:00', '17:00'));
    const started = performance.now();
    const span = cal.diff(Date.UTC(2000, 0, 1), Date.UTC(2400, 0, 1));
    const elapsed = performance.now() - started;
    assert.equal(span, 20_871 * 40 * HOUR);
    assert.ok(elapsed < 2000, `400-year diff took ${elapsed.toFixed(0)} ms`);
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
