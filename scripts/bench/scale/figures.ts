/** Sums over the load generators' results, one per listener. */
import type { LoadResult } from '../load/types.ts';
import { round } from '../stats.ts';

/** Requests that did not get a 2xx: other statuses, transport errors, and unanswered ones. */
export function failuresOf(result: LoadResult): number {
  return result.errors + result.unanswered + Object.values(result.non2xx).reduce((a, b) => a + b, 0);
}

/** Acknowledged deliveries/s of all listeners together. */
export function totalRps(results: readonly LoadResult[]): number {
  return round(
    results.reduce((sum, r) => sum + r.rps, 0),
    1,
  );
}

/** Failures of all listeners together. */
export function totalFailures(results: readonly LoadResult[]): number {
  return results.reduce((sum, r) => sum + failuresOf(r), 0);
}
