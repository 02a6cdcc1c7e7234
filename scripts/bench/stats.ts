/**
 * Small, exact statistics for benchmark samples: no histograms, no interpolation tricks.
 * Samples are kept whole (every loop in the bench is bounded in count), sorted once, and read
 * with the nearest-rank method, so a p99 is always a latency that was really observed.
 *
 * @example
 * summarize(Float64Array.from([3, 1, 2])) // { count: 3, p50: 2, p99: 3, max: 3, mean: 2 }
 */

/** What the bench reports for a set of latencies, in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** The nearest-rank percentile `p` (0–100) of `sorted` (ascending); NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

/** The median of `values` (the mean of the two middle ones for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] ?? Number.NaN) + upper) / 2;
}

/** Count, p50, p99, max and mean of the first `count` entries of `samples` (which it sorts in place). */
export function summarize(samples: Float64Array, count = samples.length): LatencySummary {
  const used = samples.subarray(0, count).sort();
  let total = 0;
  for (const value of used) total += value;
  return {
    count,
    p50: round(percentile(used, 50)),
    p99: round(percentile(used, 99)),
    max: round(used[count - 1] ?? Number.NaN),
    mean: round(count === 0 ? Number.NaN : total / count),
  };
}

/** Rounds to 3 decimals (microseconds, for milliseconds), which is all a wall clock can honestly give. */
export function round(value: number, decimals = 3): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
