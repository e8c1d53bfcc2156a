/**
 * Summary statistics for delays (minutes).
 *
 * Percentile method: linear interpolation between closest ranks over the sorted values, the
 * "inclusive" definition (Excel PERCENTILE.INC, Hyndman-Fan type 7, numpy's default): the p-th
 * percentile sits at zero-based rank h = (n - 1) * p / 100, and between ranks floor(h) and
 * ceil(h) the value is interpolated. The median is the 50th percentile under the same rule.
 * Non-finite values are ignored; an empty input has count 0 and null statistics.
 *
 * Every function takes a plain array or a typed array (the audit collects its delays in
 * Float64Arrays); sorting is a Float64Array sort, much faster than sorting boxed numbers with a
 * comparator, and gives the same order of values.
 */

export interface Summary {
  count: number;
  mean: number | null;
  median: number | null;
  p90: number | null;
  p95: number | null;
}

/** Percentile p (0-100) of values already sorted ascending. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number | null {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0-100, got ${p}`);
  if (sorted.length === 0) return null;
  const h = ((sorted.length - 1) * p) / 100;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (h - lo);
}

export function percentile(values: ArrayLike<number>, p: number): number | null {
  return percentileSorted(sortedFinite(values), p);
}

export function mean(values: ArrayLike<number>): number | null {
  // Kahan summation keeps large samples of similar minute values accurate
  let sum = 0;
  let carry = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    n++;
    const y = v - carry;
    const t = sum + y;
    carry = t - sum - y;
    sum = t;
  }
  return n === 0 ? null : sum / n;
}

export function median(values: ArrayLike<number>): number | null {
  return percentile(values, 50);
}

export function summarize(values: ArrayLike<number>): Summary {
  const sorted = sortedFinite(values);
  return {
    count: sorted.length,
    mean: mean(sorted),
    median: percentileSorted(sorted, 50),
    p90: percentileSorted(sorted, 90),
    p95: percentileSorted(sorted, 95)
  };
}

/** Rounds every statistic to 2 decimals (the package stores minutes with 2 decimals). */
export function roundSummary(s: Summary): Summary {
  const r = (v: number | null): number | null => (v === null ? null : Math.round(v * 100) / 100);
  return { count: s.count, mean: r(s.mean), median: r(s.median), p90: r(s.p90), p95: r(s.p95) };
}

/** The finite values in ascending order, in a new Float64Array. */
function sortedFinite(values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) out[n++] = v;
  }
  const finite = out.subarray(0, n);
  return n < RADIX_FROM ? finite.sort() : radixSort(finite);
}

/** Below this many values the built-in sort is as quick as the radix sort. */
const RADIX_FROM = 512;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Sorts finite doubles ascending in place, in the order `Float64Array.prototype.sort` gives (-0
 * before +0): a least-significant-digit radix sort over the 64 bits, 16 at a time, after turning
 * each double's bits into an unsigned key with the same order (negative: every bit flipped;
 * otherwise the sign bit set). Four linear passes instead of a comparison sort: the audit sorts
 * every group's delays (docs/BENCHMARKS.md).
 */
export function radixSort(values: Float64Array): Float64Array {
  const n = values.length;
  if (!LITTLE_ENDIAN || n < 2) return values.sort();
  let words: Uint32Array = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  let spare: Uint32Array = new Uint32Array(n * 2);
  const result = words;
  // keys: low word at 2i, high word at 2i + 1
  for (let i = 0; i < n; i++) {
    const hi = words[2 * i + 1];
    if (hi & 0x80000000) {
      words[2 * i] = ~words[2 * i];
      words[2 * i + 1] = ~hi;
    } else {
      words[2 * i + 1] = hi | 0x80000000;
    }
  }
  const counts = new Uint32Array(1 << 16);
  for (let pass = 0; pass < 4; pass++) {
    const word = pass >> 1; // 0: low word, 1: high word
    const shift = (pass & 1) * 16;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(words[2 * i + word] >>> shift) & 0xffff]++;
    // a digit every key shares moves nothing
    if (counts[(words[word] >>> shift) & 0xffff] === n) continue;
    let sum = 0;
    for (let d = 0; d < counts.length; d++) {
      const c = counts[d];
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const to = counts[(words[2 * i + word] >>> shift) & 0xffff]++;
      spare[2 * to] = words[2 * i];
      spare[2 * to + 1] = words[2 * i + 1];
    }
    const t = words;
    words = spare;
    spare = t;
  }
  if (words !== result) result.set(words);
  for (let i = 0; i < n; i++) {
    const hi = result[2 * i + 1];
    if (hi & 0x80000000) {
      result[2 * i + 1] = hi & 0x7fffffff;
    } else {
      result[2 * i] = ~result[2 * i];
      result[2 * i + 1] = ~hi;
    }
  }
  return values;
}
