/**
 * `npm run worker` with a handler that throws something String() cannot turn into text (an object
 * with no prototype): that run is recorded failed with a message, and the other runs of its batch
 * are recorded done, once each; one odd throw does not fail the whole batch.
 */
import { describe, expect, it } from 'vitest';
import type { WebhookDelivery } from '../../steps/lib/delivery/index.ts';
import { openDatabase } from '../../steps/lib/store/open.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { signed, userCreate } from '../helpers/listener.ts';
import { burst, pgConfig, rows, startPgListener, testDatabase } from '../helpers/postgres.ts';
import { until } from '../helpers/until.ts';

describe('Postgres worker: a handler that throws a value that is not an Error', () => {
  it('only its own run fails, with a message; the others in its batch are done after one run each', async () => {
    const url = await testDatabase('worker_throws');
    const env = { HANDLER_RETRY_LIMIT: '0' };
    const { listener } = await startPgListener(url, env);
    const sent = await burst(
      [listener.url],
      [0, 1, 2].map((n) => signed(userCreate(n))),
      { concurrency: 1 },
    );
    const [odd = '', ...others] = sent.map((s) => s.body.id ?? '');
    const store = await openDatabase(pgConfig(url, env), { role: 'worker' });
    onCleanup(() => store.close());
    const runs: string[] = [];
    // All three are waiting when the worker starts, so one fetch takes them as one batch.
    const worker = await store.work(
      async (delivery: WebhookDelivery) => {
        runs.push(delivery.id);
        if (delivery.id === odd) throw Object.create(null);
        // The good runs finish after the odd one has failed.
        await new Promise((resolve) => setTimeout(resolve, 200));
      },
      { concurrency: 3 },
    );
    onCleanup(() => worker.close());
    await until(() => runs.length === 3, 10_000);
    // Closing waits for the batch: its runs and their outcomes.
    await worker.close();
    const states = await rows<{ id: string; handler: string; attempts: number; handler_error: string | null }>(
      url,
      'SELECT id, handler, attempts, handler_error FROM workbench.delivery ORDER BY id',
    );
    expect(states).toEqual(
      [
        { id: odd, handler: 'dead', attempts: 1, handler_error: 'the handler threw an object that is not an Error (no message to show)' },
        ...others.map((id) => ({ id, handler: 'done', attempts: 1, handler_error: null })),
      ].sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    expect(runs.toSorted()).toEqual([odd, ...others].toSorted());
  });
});
