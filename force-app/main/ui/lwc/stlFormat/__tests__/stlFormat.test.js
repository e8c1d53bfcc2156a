import {
  businessMsBetween,
  errorMessage,
  formatClock,
  formatMinutes,
  formatPercent,
  formatWeekdayTime,
  isOpenAt,
  nextOpening
} from 'c/stlFormat';

const H = 60 * 60 * 1000;
const intervals = [
  { startMs: 9 * H, endMs: 17 * H },
  { startMs: 33 * H, endMs: 41 * H }
];

describe('c/stlFormat', () => {
  it('sums only the open part of a span', () => {
    expect(businessMsBetween(intervals, 16 * H, 34 * H)).toBe(2 * H);
    expect(businessMsBetween(intervals, 18 * H, 32 * H)).toBe(0);
    expect(businessMsBetween(intervals, 10 * H, 9 * H)).toBe(0);
    expect(businessMsBetween(undefined, 0, H)).toBe(0);
  });

  it('knows whether an instant is open and when the next opening is', () => {
    expect(isOpenAt(intervals, 9 * H)).toBe(true);
    expect(isOpenAt(intervals, 17 * H)).toBe(false);
    expect(nextOpening(intervals, 17 * H)).toBe(33 * H);
    expect(nextOpening(intervals, 40 * H)).toBeNull();
  });

  it('formats clocks and durations', () => {
    expect(formatClock(0)).toBe('0:00');
    expect(formatClock(61 * 1000)).toBe('1:01');
    expect(formatClock(H + 5 * 60 * 1000 + 9000)).toBe('1:05:09');
    expect(formatClock(-5)).toBe('0:00');
    expect(formatMinutes(0.5)).toBe('30 sec');
    expect(formatMinutes(12)).toBe('12 min');
    expect(formatMinutes(185)).toBe('3 h 05 min');
    expect(formatMinutes(2 * 1440 + 240)).toBe('2 d 4 h');
    expect(formatMinutes(null)).toBe('—');
    expect(formatPercent(0.8731)).toBe('87.3%');
    expect(formatPercent(null)).toBe('—');
  });

  it('formats a weekday and time in the rep time zone', () => {
    const mondayNineGmt = Date.UTC(2026, 10, 23, 9, 0, 0);
    expect(formatWeekdayTime(mondayNineGmt, 'Europe/London', 'en-US')).toBe('Mon 9:00 AM');
    expect(formatWeekdayTime(mondayNineGmt, 'America/New_York', 'en-US')).toBe('Mon 4:00 AM');
  });

  it('reads Apex, wire and plain errors', () => {
    expect(errorMessage({ body: { message: 'apex' } })).toBe('apex');
    expect(errorMessage({ body: [{ message: 'a' }, { message: 'b' }] })).toBe('a, b');
    expect(errorMessage(new Error('plain'))).toBe('plain');
    expect(errorMessage(null)).toBe('Unknown error');
  });
});
