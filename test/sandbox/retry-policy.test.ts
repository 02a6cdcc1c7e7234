/**
 * The sandbox's retry policy (retry-policy.ts), on a clock the test sets: the schedule, its last delay
 * repeating, and the end after SANDBOX_RETRY_MAX_AGE.
 */
import { describe, expect, test } from 'vitest';
import { expired, nextAttempt } from '../../scripts/sandbox/retry-policy.ts';

const T0 = Date.parse('2026-01-05T09:00:00.000Z');
const DAY = 24 * 3600 * 1000;
const policy = { scheduleMs: [250, 500, 8000], maxAgeMs: 3 * DAY };
const created = { createdAt: new Date(T0).toISOString() };

describe('nextAttempt(policy, delivery, now)', () => {
  test('waits scheduleMs[n-1] after failed attempt n, and repeats the last delay', () => {
    expect(nextAttempt(policy, { ...created, attempts: 1 }, T0)).toEqual({ retryAt: T0 + 250 });
    expect(nextAttempt(policy, { ...created, attempts: 2 }, T0 + 1000)).toEqual({ retryAt: T0 + 1500 });
    expect(nextAttempt(policy, { ...created, attempts: 3 }, T0)).toEqual({ retryAt: T0 + 8000 });
    expect(nextAttempt(policy, { ...created, attempts: 9000 }, T0 + DAY)).toEqual({ retryAt: T0 + DAY + 8000 });
  });

  test('gives up when the next attempt would fall after createdAt + maxAge, saying so with the attempts made', () => {
    expect(nextAttempt(policy, { ...created, attempts: 31_000 }, T0 + 3 * DAY - 8000)).toEqual({ retryAt: T0 + 3 * DAY });
    expect(nextAttempt(policy, { ...created, attempts: 31_001 }, T0 + 3 * DAY - 7999)).toEqual({
      giveUp: 'not delivered within 3d (SANDBOX_RETRY_MAX_AGE) after 31001 attempts',
    });
    expect(nextAttempt({ scheduleMs: [0], maxAgeMs: 90_000 }, { ...created, attempts: 1 }, T0 + 90_001)).toEqual({
      giveUp: 'not delivered within 90s (SANDBOX_RETRY_MAX_AGE) after 1 attempt',
    });
  });
});

describe('expired(policy, delivery, now)', () => {
  test('is undefined up to the max age and the reason after it (a restart days later)', () => {
    expect(expired(policy, { ...created, attempts: 0 }, T0 + 3 * DAY)).toBeUndefined();
    expect(expired(policy, { ...created, attempts: 0 }, T0 + 3 * DAY + 1)).toBe('not delivered within 3d (SANDBOX_RETRY_MAX_AGE) after 0 attempts');
  });
});
