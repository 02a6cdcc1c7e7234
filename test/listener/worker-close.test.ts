/**
 * Closing the in-process worker (Ctrl-C in step 3) while a handler runs: the run that fails during
 * the close is journaled `failed` and left for the next start; the close does not wait out its
 * retry delay, nor say a handler is still running, nor promise a retry that will not happen here.
 */
import { describe, expect, it } from 'vitest';
import type { DeliveryView } from '../../steps/lib/delivery/record.ts';
import { createWorker } from '../../steps/lib/listener/worker.ts';
import { validDeliveryView } from '../helpers/delivery-record.ts';
import { until } from '../helpers/until.ts';

describe('createWorker().close() while a handler runs', () => {
  it('a run that fails during the close is recorded failed, for the next start, and the close ends with it', async () => {
    const logs: string[] = [];
    const recorded: string[] = [];
    let started = false;
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const worker = createWorker({
      handler: async () => {
        started = true;
        await gate;
        throw new Error('the app is down');
      },
      journal: { appendOutcomes: async (runs) => void recorded.push(...runs.map((run) => `${run.id} ${run.handler} ${run.error}`)) },
      onChange: () => {},
      log: (line) => logs.push(line),
      // A retry long after the close: it must not be waited for, nor announced.
      retry: { retryLimit: 3, retryDelayMs: 600_000, timeoutMs: 60_000 },
    });
    const view: DeliveryView = validDeliveryView('a');
    worker.enqueue(view);
    await until(() => started, 5000);
    const closed = worker.close({ timeoutMs: 3000 });
    release();
    await closed;
    expect(recorded).toEqual(['a failed the app is down']);
    expect(logs).toEqual(['handler failed for a (User_Create): the app is down; the worker is stopping, so it runs again when the listener restarts.']);
    // Nothing left behind: no retry timer keeps the worker busy.
    let idle = false;
    await worker.idle().then(() => (idle = true));
    expect(idle).toBe(true);
  });
});
