import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  mean,
  median,
  percentile,
  radixSort,
  roundSummary,
  summarize
} from '../../scripts/lib/stats.ts';

describe('stats', () => {
  it('computes the worked example with the inclusive percentile method', () => {
    // values 1..10: h(p90) = 9 * 0.9 = 8.1 -> 9 + 0.1 * (10 - 9) = 9.1; h(p95) = 8.55 -> 9.55;
    // median h = 4.5 -> 5.5; mean 55 / 10 = 5.5
    const s = summarize([10, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(s.count, 10);
    assert.equal(s.mean, 5.5);
    assert.equal(s.median, 5.5);
    assert.ok(Math.abs((s.p90 ?? 0) - 9.1) < 1e-9);
    assert.ok(Math.abs((s.p95 ?? 0) - 9.55) < 1e-9);
    assert.deepEqual(roundSummary(s), { count: 10, mean: 5.5, median: 5.5, p90: 9.1, p95: 9.55 });
  });

  it('handles empty, single and non-finite inputs', () => {
    assert.deepEqual(summarize([]), { count: 0, mean: null, median: null, p90: null, p95: null });
    assert.deepEqual(summarize([7]), { count: 1, mean: 7, median: 7, p90: 7, p95: 7 });
    assert.equal(mean([1, Number.NaN, 3]), 2);
    assert.equal(median([3, 1, Number.POSITIVE_INFINITY, 2]), 2);
    assert.throws(() => percentile([1], 101), /within 0-100/);
  });

  it('keeps percentiles ordered and within the range of the data', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }),
        (values) => {
          const s = summarize(values);
          const lo = Math.min(...values);
          const hi = Math.max(...values);
          assert.ok(lo <= (s.median as number) && (s.median as number) <= (s.p90 as number));
          assert.ok((s.p90 as number) <= (s.p95 as number) && (s.p95 as number) <= hi);
          assert.ok(lo - 1e-6 <= (s.mean as number) && (s.mean as number) <= hi + 1e-6);
        }
      )
    );
  });
});

describe('stats over typed arrays', () => {
  it('summarizes a Float64Array exactly as the same numbers in a plain array', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.double({ min: -1e6, max: 1e6, noNaN: true }),
            fc.constantFrom(Number.NaN, Infinity, -Infinity, 0, -0)
          ),
          { maxLength: 200 }
        ),
        (values) => {
          const typed = Float64Array.from(values);
          assert.deepEqual(summarize(typed), summarize(values));
          assert.equal(mean(typed), mean(values));
          assert.equal(percentile(typed, 90), percentile(values, 90));
        }
      )
    );
  });

  it('ignores non-finite values in a typed array and leaves the input unsorted', () => {
    const typed = Float64Array.from([3, Number.NaN, 1, Infinity, 2]);
    assert.deepEqual(summarize(typed), { count: 3, mean: 2, median: 2, p90: 2.8, p95: 2.9 });
    assert.deepEqual([...typed].slice(0, 3), [3, Number.NaN, 1]);
  });
});

describe('radixSort', () => {
  const doubles = fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.double({ min: -1e4, max: 1e4, noNaN: true }).map((v) => Math.round(v * 100) / 100),
    fc.constantFrom(0, -0, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 1, -1)
  );

  it('orders finite doubles exactly as Float64Array sort does (-0 before +0)', () => {
    fc.assert(
      fc.property(fc.array(doubles, { maxLength: 3000 }), fc.nat(5), (values, offset) => {
        // a view that starts inside its buffer, as the statistics pass it
        const buffer = new Float64Array(values.length + offset);
        const view = buffer.subarray(offset);
        view.set(values);
        const expected = Float64Array.from(values).sort();
        const sorted = radixSort(view);
        assert.equal(sorted, view);
        assert.equal(sorted.length, expected.length);
        for (let i = 0; i < expected.length; i++)
          assert.ok(Object.is(sorted[i], expected[i]), `${i}`);
      }),
      { numRuns: 60 }
    );
  });

  it('sorts many values in a few distinct magnitudes, and the summaries agree with the built-in sort', () => {
    // minutes with two decimals, as the audit's delays: above the size where radixSort is used
    const values = Float64Array.from({ length: 20_000 }, (_, i) => ((i * 7919) % 10_007) / 100 - 3);
    const expected = values.slice().sort();
    const sorted = radixSort(values.slice());
    assert.deepEqual(Array.from(sorted), Array.from(expected));
    const s = summarize(values);
    assert.equal(s.count, 20_000);
    assert.equal(s.median, expected[9_999] + (expected[10_000] - expected[9_999]) * 0.5);
  });
});
