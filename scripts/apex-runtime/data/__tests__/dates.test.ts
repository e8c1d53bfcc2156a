import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DateLiteralName } from '../soql/ast.ts';
import { dateFunction, dateLiteralRange } from '../soql/dates.ts';

const LA = 'America/Los_Angeles';
/** Friday 2026-11-20 10:00 in Los Angeles. */
const NOW = Date.UTC(2026, 10, 20, 18, 0);

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function range(
  name: DateLiteralName,
  n: number | null = null,
  now = NOW,
  zone = LA
): [string, string] {
  const r = dateLiteralRange(name, n, now, zone);
  return [iso(r.startMs), iso(r.endMs)];
}

function days(name: DateLiteralName, n: number | null = null): [string, string] {
  const r = dateLiteralRange(name, n, NOW, LA);
  const d = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);
  return [d(r.startDay), d(r.endDay)];
}

describe('dateLiteralRange in the user time zone (half-open ranges)', () => {
  it('gives whole local days for TODAY, YESTERDAY, TOMORROW', () => {
    assert.deepEqual(range('TODAY'), ['2026-11-20T08:00:00Z', '2026-11-21T08:00:00Z']);
    assert.deepEqual(range('YESTERDAY'), ['2026-11-19T08:00:00Z', '2026-11-20T08:00:00Z']);
    assert.deepEqual(range('TOMORROW'), ['2026-11-21T08:00:00Z', '2026-11-22T08:00:00Z']);
    assert.deepEqual(days('TODAY'), ['2026-11-20', '2026-11-21']);
  });
  it('follows daylight saving: the spring-forward day has 23 hours', () => {
    const sunday = Date.UTC(2026, 2, 8, 20, 0); // 2026-03-08 13:00 PDT
    assert.deepEqual(range('TODAY', null, sunday), [
      '2026-03-08T08:00:00Z',
      '2026-03-09T07:00:00Z'
    ]);
  });
  it('starts weeks on Sunday', () => {
    assert.deepEqual(days('THIS_WEEK'), ['2026-11-15', '2026-11-22']);
    assert.deepEqual(days('LAST_WEEK'), ['2026-11-08', '2026-11-15']);
    assert.deepEqual(days('NEXT_WEEK'), ['2026-11-22', '2026-11-29']);
    assert.deepEqual(days('LAST_N_WEEKS', 2), ['2026-11-01', '2026-11-15']);
    assert.deepEqual(days('NEXT_N_WEEKS', 2), ['2026-11-22', '2026-12-06']);
    assert.deepEqual(days('N_WEEKS_AGO', 1), ['2026-11-08', '2026-11-15']);
  });
  it('covers calendar months, quarters and years', () => {
    assert.deepEqual(days('THIS_MONTH'), ['2026-11-01', '2026-12-01']);
    assert.deepEqual(days('LAST_MONTH'), ['2026-10-01', '2026-11-01']);
    assert.deepEqual(days('NEXT_MONTH'), ['2026-12-01', '2027-01-01']);
    assert.deepEqual(days('THIS_QUARTER'), ['2026-10-01', '2027-01-01']);
    assert.deepEqual(days('LAST_QUARTER'), ['2026-07-01', '2026-10-01']);
    assert.deepEqual(days('NEXT_QUARTER'), ['2027-01-01', '2027-04-01']);
    assert.deepEqual(days('THIS_YEAR'), ['2026-01-01', '2027-01-01']);
    assert.deepEqual(days('LAST_YEAR'), ['2025-01-01', '2026-01-01']);
    assert.deepEqual(days('NEXT_YEAR'), ['2027-01-01', '2028-01-01']);
    assert.deepEqual(days('LAST_N_MONTHS', 2), ['2026-09-01', '2026-11-01']);
    assert.deepEqual(days('NEXT_N_MONTHS', 2), ['2026-12-01', '2027-02-01']);
    assert.deepEqual(days('N_MONTHS_AGO', 12), ['2025-11-01', '2025-12-01']);
    assert.deepEqual(days('LAST_N_QUARTERS', 1), ['2026-07-01', '2026-10-01']);
    assert.deepEqual(days('NEXT_N_QUARTERS', 2), ['2027-01-01', '2027-07-01']);
    assert.deepEqual(days('N_QUARTERS_AGO', 4), ['2025-10-01', '2026-01-01']);
    assert.deepEqual(days('LAST_N_YEARS', 2), ['2024-01-01', '2026-01-01']);
    assert.deepEqual(days('NEXT_N_YEARS', 1), ['2027-01-01', '2028-01-01']);
    assert.deepEqual(days('N_YEARS_AGO', 1), ['2025-01-01', '2026-01-01']);
  });
  it('counts n-day ranges from today', () => {
    assert.deepEqual(
      days('LAST_N_DAYS', 7),
      ['2026-11-13', '2026-11-21'],
      'today and the 7 days before'
    );
    assert.deepEqual(
      days('NEXT_N_DAYS', 7),
      ['2026-11-21', '2026-11-28'],
      'the 7 days after today'
    );
    assert.deepEqual(days('N_DAYS_AGO', 3), ['2026-11-17', '2026-11-18']);
    assert.deepEqual(days('LAST_90_DAYS'), days('LAST_N_DAYS', 90));
    assert.deepEqual(days('NEXT_90_DAYS'), days('NEXT_N_DAYS', 90));
  });
  it('depends on the zone: the same instant is another day in Tokyo', () => {
    assert.deepEqual(range('TODAY', null, NOW, 'Asia/Tokyo'), [
      '2026-11-20T15:00:00Z',
      '2026-11-21T15:00:00Z'
    ]);
  });
});

describe('dateFunction', () => {
  const ms = Date.UTC(2026, 0, 4, 3, 30); // Sunday 2026-01-04 03:30Z = Saturday 19:30 in LA
  it('reads datetimes in GMT by default and in a zone when converted', () => {
    assert.equal(dateFunction('HOUR_IN_DAY', { epochMs: ms }, null), 3);
    assert.equal(dateFunction('HOUR_IN_DAY', { epochMs: ms }, LA), 19);
    assert.equal(dateFunction('DAY_IN_WEEK', { epochMs: ms }, null), 1, 'Sunday is 1');
    assert.equal(dateFunction('DAY_IN_WEEK', { epochMs: ms }, LA), 7, 'Saturday is 7');
  });
  it('numbers months, quarters, days and weeks as the reference does', () => {
    const d = { epochDay: Date.UTC(2026, 1, 20) / 86_400_000 }; // 2026-02-20
    assert.equal(dateFunction('CALENDAR_MONTH', d, null), 2);
    assert.equal(dateFunction('CALENDAR_QUARTER', d, null), 1);
    assert.equal(dateFunction('CALENDAR_YEAR', d, null), 2026);
    assert.equal(dateFunction('DAY_IN_MONTH', d, null), 20);
    assert.equal(dateFunction('DAY_IN_YEAR', d, null), 51);
    assert.equal(dateFunction('WEEK_IN_MONTH', d, null), 3, 'days 15-21 are week 3');
    assert.equal(dateFunction('WEEK_IN_YEAR', d, null), 8, 'days 50-56 are week 8');
    assert.equal(dateFunction('DAY_ONLY', { epochMs: ms }, LA), Date.UTC(2026, 0, 3) / 86_400_000);
  });
});
