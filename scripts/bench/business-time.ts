// `npm run bench -- business-time`: BusinessCalendar add and diff operations per second over
// spans of minutes, days and a year, against the same number of plain luxon operations
// (DateTime.plus for add, DateTime.diff for diff) on the same inputs, measured in the same run.
// Each side runs passes over 2,000 inputs for at least 300 ms (luxon is far slower, so the same
// call count would make the run take minutes).
import { DateTime } from 'luxon';
import { BusinessCalendar } from '../lib/business-time.ts';
import { rng, seedBusinessHours, seedHolidaySpecs } from '../lib/seed.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

interface Span {
  label: string;
  /** business minutes to add */
  addMinutes: (r: () => number) => number;
  /** wall-clock milliseconds between the two ends of a diff */
  diffMs: (r: () => number) => number;
}

const SPANS: Span[] = [
  {
    label: 'minutes (1-120)',
    addMinutes: (r) => 1 + Math.floor(r() * 120),
    diffMs: (r) => (1 + Math.floor(r() * 120)) * MINUTE
  },
  {
    label: 'days (1-10 business days)',
    addMinutes: (r) => (1 + Math.floor(r() * 10)) * 10 * 60,
    diffMs: (r) => (1 + r() * 13) * DAY
  },
  {
    label: 'a year',
    addMinutes: () => 250 * 10 * 60,
    diffMs: () => 365 * DAY
  }
];

/** Runs `op` over the `count` inputs in passes until at least `until.minMs` passed. */
function rate(
  count: number,
  op: (i: number) => number,
  until: { minMs: number }
): { perSec: number; passes: number } {
  let sink = 0;
  let passes = 0;
  const t0 = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < count; i++) sink += op(i);
    passes++;
    elapsed = performance.now() - t0;
  } while (elapsed < until.minMs);
  if (Number.isNaN(sink)) throw new Error('benchmark operation returned NaN');
  return { perSec: ((passes * count) / elapsed) * 1000, passes };
}

const MIN_MS = { minMs: 300 };

export function benchBusinessTime(): void {
  const hours = seedBusinessHours();
  const cal = new BusinessCalendar(hours, seedHolidaySpecs());
  const zone = hours.timeZone;
  const r = rng(20260105);
  const from = Date.UTC(2026, 0, 1);
  const count = 2_000;
  const starts = Array.from({ length: count }, () => from + Math.floor(r() * 365 * DAY));
  const n = (v: number): string => Math.round(v).toLocaleString('en-US');
  console.log(
    `business-time benchmark (seed calendar: ${zone}, weekdays 08:00-18:00, ` +
      `${seedHolidaySpecs().length} holidays; baseline: luxon in the same zone, same inputs):`
  );
  // warm-up so neither side pays for compilation in its measurement
  for (let i = 0; i < count; i++) {
    cal.add(starts[i], 600 * MINUTE);
    cal.diff(starts[i], starts[i] + DAY);
    DateTime.fromMillis(starts[i], { zone }).plus({ minutes: 600 }).toMillis();
  }
  for (const span of SPANS) {
    const minutes = starts.map(() => span.addMinutes(r));
    const ends = starts.map((s) => s + span.diffMs(r));
    const add = rate(count, (i) => cal.add(starts[i], minutes[i] * MINUTE), MIN_MS);
    const plus = rate(
      count,
      (i) => DateTime.fromMillis(starts[i], { zone }).plus({ minutes: minutes[i] }).toMillis(),
      MIN_MS
    );
    const diff = rate(count, (i) => cal.diff(starts[i], ends[i]), MIN_MS);
    const luxonDiff = rate(
      count,
      (i) =>
        DateTime.fromMillis(ends[i], { zone })
          .diff(DateTime.fromMillis(starts[i], { zone }), 'minutes')
          .as('minutes'),
      MIN_MS
    );
    console.log(`  ${span.label}:`);
    console.log(
      `    add  ${n(add.perSec).padStart(11)} ops/s   luxon plus ${n(plus.perSec).padStart(11)} ops/s   ` +
        `ratio ${(add.perSec / plus.perSec).toFixed(2)}x`
    );
    console.log(
      `    diff ${n(diff.perSec).padStart(11)} ops/s   luxon diff ${n(luxonDiff.perSec).padStart(11)} ops/s   ` +
        `ratio ${(diff.perSec / luxonDiff.perSec).toFixed(2)}x`
    );
  }
}
