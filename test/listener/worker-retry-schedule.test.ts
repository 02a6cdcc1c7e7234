/**
 * The in-process worker's retries, counted and timed as the log tells them: a handler that always
 * fails runs 1 + HANDLER_RETRY_LIMIT times, each delay at least double the one before (between
 * base × 2^n and twice that), and the last failure makes the delivery dead.
 */
import { describe, expect, it } from 'vitest';
import { createWorker } from '../../steps/lib/listener/worker.ts';
import { validDeliveryView } from '../helpers/delivery-record.ts';

describe('createWorker(): the retry schedule', () => {
  it('a handler that always fails runs 1 + retryLimit times, the delays doubling, then the delivery is dead', async () => {
    const logs: string[] = [];
    const recorded: string[] = [];
    let runs = 0;
    const worker = createWorker({
      handler: () => {
        runs += 1;
        throw new Error('the app is down');
      },
      journal: { appendOutcomes: async (outcomes) => void recorded.push(...outcomes.map((run) => run.handler)) },
      onChange: () => {},
      log: (line) => logs.push(line),
      retry: { retryLimit: 3, retryDelayMs: 100, timeoutMs: 5000 },
    });
    worker.enqueue(validDeliveryView('a'));
    await worker.idle();

    expect(runs).toBe(4);
    expect(recorded).toEqual(['failed', 'failed', 'failed', 'dead']);
    const prefix = 'handler failed for a (User_Create): the app is down; ';
    expect(logs.at(-1)).toBe(`${prefix}that was its last try (HANDLER_RETRY_LIMIT=3), so it is dead; it runs again when the listener restarts.`);
    const retries = logs.slice(0, -1).map((line) => /^.*; try (\d) of 4 in (\d+\.\d) s\.$/.exec(line));
    expect(retries.map((match) => match?.[1])).toEqual(['2', '3', '4']);
    // Retry n waits 100 ms × 2^n × (1 to 2), shown to a tenth of a second.
    retries.forEach((match, n) => {
      const seconds = Number(match?.[2]);
      expect(seconds).toBeGreaterThanOrEqual(Math.floor(1 * 2 ** n) / 10);
      expect(seconds).toBeLessThanOrEqual(Math.ceil(2 * 2 ** n) / 10);
    });
  });

  it('without a retry policy a failure stays failed (never dead), for the next start', async () => {
    const recorded: string[] = [];
    const worker = createWorker({
      handler: () => {
        throw new Error('the app is down');
      },
      journal: { appendOutcomes: async (outcomes) => void recorded.push(...outcomes.map((run) => run.handler)) },
      onChange: () => {},
    });
    worker.enqueue(validDeliveryView('a'));
    await worker.idle();
    expect(recorded).toEqual(['failed']);
  });
});
