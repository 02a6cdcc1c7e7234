/**
 * `npm run worker`'s WORKER_CONCURRENCY is "handlers one worker process runs at once": a handler
 * that hangs takes one of those slots, not all of them. Deliveries that arrive meanwhile run in the
 * free slots, never more than WORKER_CONCURRENCY at once; and a worker closed with handlers running
 * lets them finish and records them.
 */
import { describe, expect, it } from 'vitest';
import type { WebhookDelivery } from '../../steps/lib/delivery/index.ts';
import { openDatabase } from '../../steps/lib/store/open.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { signed, userCreate } from '../helpers/listener.ts';
import { burst, pgConfig, rows, startPgListener, testDatabase } from '../helpers/postgres.ts';
import { until } from '../helpers/until.ts';

describe('Postgres worker: WORKER_CONCURRENCY slots', () => {
  it('a hanging handler holds one slot: later deliveries run in the free ones, at most WORKER_CONCURRENCY at once', async () => {
    const url = await testDatabase('worker_slots');
    const env = { HANDLER_TIMEOUT_MS: '20000' };
    const { listener } = await startPgListener(url, env);
    const store = await openDatabase(pgConfig(url, env), { role: 'worker' });
    onCleanup(() => store.close());
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    onCleanup(() => release());
    let hangingId = '';
    let running = 0;
    let mostAtOnce = 0;
    const handled: string[] = [];
    const worker = await store.work(
      async (delivery: WebhookDelivery) => {
        running += 1;
        mostAtOnce = Math.max(mostAtOnce, running);
        try {
          // The first delivery hangs until the test lets it go; the others take a moment each.
          await (delivery.id === hangingId ? released : new Promise((resolve) => setTimeout(resolve, 50)));
          handled.push(delivery.id);
        } finally {
          running -= 1;
        }
      },
      { concurrency: 3 },
    );
    onCleanup(() => worker.close());

    const [first] = await burst([listener.url], [signed(userCreate(0))], { concurrency: 1 });
    hangingId = first?.body.id ?? '';
    await until(() => worker.running === 1, 5000);
    const later = await burst(
      [listener.url],
      Array.from({ length: 12 }, (_, n) => signed(userCreate(n + 1))),
      { concurrency: 4 },
    );
    expect(later.every((s) => s.status === 200)).toBe(true);
    // Well before HANDLER_TIMEOUT_MS: the hanging one does not hold the others back.
    await until(() => handled.length === 12, 8000);
    expect(mostAtOnce).toBeLessThanOrEqual(3);
    expect(mostAtOnce).toBeGreaterThanOrEqual(2);
    const states = await rows<{ handler: string; n: number }>(
      url,
      'SELECT handler, count(*)::int AS n FROM workbench.delivery GROUP BY handler ORDER BY handler',
    );
    expect(states).toEqual([
      { handler: 'done', n: 12 },
      { handler: 'running', n: 1 },
    ]);

    // Closing waits for the running handler, and records it.
    const closed = worker.close();
    setTimeout(release, 300);
    await closed;
    expect(handled).toContain(hangingId);
    const [row] = await rows<{ handler: string; attempts: number }>(url, 'SELECT handler, attempts FROM workbench.delivery WHERE id = $1', [hangingId]);
    expect(row).toEqual({ handler: 'done', attempts: 1 });
    expect(await rows(url, "SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'webhook-delivery' AND state <> 'completed'")).toEqual([{ n: 0 }]);
  });
});
