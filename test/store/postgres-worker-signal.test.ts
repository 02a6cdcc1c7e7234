/**
 * `npm run worker` and a handler that never finishes by itself: at HANDLER_TIMEOUT_MS its run is
 * failed and its slot freed, so its `delivery.signal` aborts; a handler that waits on it stops
 * there, instead of staying behind as a stuck run while the slot takes the next job.
 */
import { describe, expect, it } from 'vitest';
import type { WebhookDelivery } from '../../steps/lib/delivery/index.ts';
import { openDatabase } from '../../steps/lib/store/open.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { signed, userCreate } from '../helpers/listener.ts';
import { burst, pgConfig, rows, startPgListener, testDatabase } from '../helpers/postgres.ts';
import { until } from '../helpers/until.ts';

describe('Postgres worker: delivery.signal', () => {
  it('aborts at HANDLER_TIMEOUT_MS: the hanging handler stops, and the row says why the run failed', async () => {
    const url = await testDatabase('worker_signal');
    const env = { HANDLER_TIMEOUT_MS: '300', HANDLER_RETRY_LIMIT: '0' };
    const { listener } = await startPgListener(url, env);
    const store = await openDatabase(pgConfig(url, env), { role: 'worker' });
    onCleanup(() => store.close());
    const stopped: unknown[] = [];
    const worker = await store.work(
      (delivery: WebhookDelivery) =>
        new Promise<void>((_, reject) =>
          delivery.signal.addEventListener('abort', () => {
            stopped.push(delivery.signal.reason);
            reject(delivery.signal.reason);
          }),
        ),
      { concurrency: 1 },
    );
    onCleanup(() => worker.close());
    const [sent] = await burst([listener.url], [signed(userCreate(1))], { concurrency: 1 });
    await until(() => stopped.length === 1, 10_000);
    expect(stopped[0]).toMatchObject({ name: 'TimeoutError', message: 'the handler did not finish within 300 ms (HANDLER_TIMEOUT_MS)' });
    await worker.close();
    expect(worker.running).toBe(0);
    const [row] = await rows<{ handler: string; handler_error: string }>(url, 'SELECT handler, handler_error FROM workbench.delivery WHERE id = $1', [
      sent?.body.id,
    ]);
    expect(row).toEqual({ handler: 'dead', handler_error: 'the handler did not finish within 300 ms (HANDLER_TIMEOUT_MS)' });
  });
});
