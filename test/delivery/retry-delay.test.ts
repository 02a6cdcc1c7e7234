/**
 * The file engine's retry backoff (retryDelayMs, the delay before a failed handler runs again: a
 * forward to an app that is down, LISTEN_FORWARD_TO). It doubles per retry and stops doubling
 * after 16; it must also stay within what setTimeout can wait, or Node fires the timer after 1 ms
 * (TimeoutOverflowWarning) and a long-failing delivery is retried in a tight loop.
 */
import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../steps/lib/delivery/index.ts';

/** The longest delay setTimeout keeps (2^31 - 1 ms, about 24.8 days). */
const TIMER_MAX_MS = 2 ** 31 - 1;

describe('retryDelayMs(baseMs, retriesSoFar, random)', () => {
  it('doubles from HANDLER_RETRY_DELAY_MS, times 1 to 2 at random', () => {
    expect([0, 1, 2, 3].map((retries) => retryDelayMs(1000, retries, () => 0))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(1000, 3, () => 0.5)).toBe(12_000);
  });

  it('never asks for more than a timer can wait: HANDLER_RETRY_DELAY_MS=60000 with HANDLER_RETRY_LIMIT=100 tops out at 2^31 - 1 ms', () => {
    const delays = Array.from({ length: 100 }, (_, retries) => retryDelayMs(60_000, retries, () => 0.99));
    expect(Math.max(...delays)).toBe(TIMER_MAX_MS);
    // Still never shorter than the retry before it.
    expect(delays.every((delay, i) => i === 0 || delay >= (delays[i - 1] ?? 0))).toBe(true);
  });
});
