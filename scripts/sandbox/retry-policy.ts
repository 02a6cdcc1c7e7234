/**
 * The sandbox's retry policy, with an end. Bracken documents none (shared/bracken-api.md §2), so this
 * is the sandbox's choice, shaped like Stripe's: retry on a schedule for a bounded time, then give
 * up. After failed attempt n the next one waits `scheduleMs[n-1]` (the last delay repeats); a
 * delivery whose next attempt would fall later than `maxAgeMs` after it was created is `failed`
 * for good instead. Pure: the clock is a parameter, so tests cover days without waiting.
 *
 * @example
 * const policy = { scheduleMs: [250, 500], maxAgeMs: 3 * 24 * 3600_000 };
 * nextAttempt(policy, { createdAt, attempts: 1 }, now) // { retryAt: now + 250 }
 * nextAttempt(policy, { createdAt: fourDaysAgo, attempts: 9000 }, now) // { giveUp: 'no answer … within 3d …' }
 */
import { formatDuration } from '../../steps/lib/core/index.ts';

export interface RetryPolicy {
  /** Delay before each retry; the last one repeats. */
  readonly scheduleMs: readonly number[];
  /** How long after its creation a delivery may still be attempted. */
  readonly maxAgeMs: number;
}

export type NextAttempt = { readonly retryAt: number } | { readonly giveUp: string };

/** When to try a pending delivery again after its latest failed attempt, or why to stop. */
export function nextAttempt(policy: RetryPolicy, delivery: { readonly createdAt: string; readonly attempts: number }, now: number): NextAttempt {
  const { scheduleMs } = policy;
  const delay = scheduleMs[Math.min(Math.max(delivery.attempts, 1) - 1, scheduleMs.length - 1)] ?? 0;
  const retryAt = now + delay;
  return retryAt > deadline(policy, delivery) ? { giveUp: tooOld(policy, delivery.attempts) } : { retryAt };
}

/** Why a delivery that is due at `now` (a restart, a resumed timer) must not be attempted any more; undefined while it may. */
export function expired(policy: RetryPolicy, delivery: { readonly createdAt: string; readonly attempts: number }, now: number): string | undefined {
  return now > deadline(policy, delivery) ? tooOld(policy, delivery.attempts) : undefined;
}

function deadline(policy: RetryPolicy, delivery: { readonly createdAt: string }): number {
  return Date.parse(delivery.createdAt) + policy.maxAgeMs;
}

function tooOld(policy: RetryPolicy, attempts: number): string {
  return `not delivered within ${formatDuration(policy.maxAgeMs)} (SANDBOX_RETRY_MAX_AGE) after ${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}`;
}
