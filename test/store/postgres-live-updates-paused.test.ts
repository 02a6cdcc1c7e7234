/**
 * The connection that brings live updates (the inspector's, on Postgres) closed by Postgres (an
 * administrator's pg_terminate_backend here; a restart does the same): the process says so with the
 * store's code and what it misses meanwhile, and that live updates resumed once its new connection
 * listens. (What to do about an outage is said once, by the pool's line: postgres-pool-errors.test.ts.)
 * Before: `postgres: live updates paused (terminating connection due to administrator command);
 * trying again every 1000 ms.`, with no code and nothing on what to do.
 */
import { describe, expect, it } from 'vitest';
import type { DeliveryView } from '../../steps/lib/delivery/index.ts';
import { migrateDatabase, openDatabase } from '../../steps/lib/store/index.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { largeDeliveries, pgConfig, rows, testDatabase, withClient } from '../helpers/postgres.ts';
import { until } from '../helpers/until.ts';

const LISTENING = "application_name = 'bracken-webhook-workbench notifications' AND datname = $1";

describe('Postgres: live updates', () => {
  it('a dropped LISTEN connection is said with [WORKBENCH_STORE_UNREACHABLE] and what the inspector misses, then resumed, and changes arrive again', async () => {
    // Trust authentication ignores the password: it is there to show that no line prints it.
    const url = new URL(await testDatabase('live_paused'));
    url.password = 'live-secret';
    const database = url.pathname.slice(1);
    await migrateDatabase(pgConfig(url.toString()), () => {});
    await largeDeliveries(url.toString(), 1, 1);
    const logs: string[] = [];
    const store = await openDatabase(pgConfig(url.toString()), { role: 'reader', log: (line) => logs.push(line) });
    onCleanup(() => store.close());
    const changed: DeliveryView[] = [];
    onCleanup(store.subscribe((view) => changed.push(view)));
    // Listening once a change announced (as a worker's outcome is, notifications.ts) reaches the subscription.
    const announced = async () => {
      const before = changed.length;
      while (changed.length === before) {
        await rows(url.toString(), "SELECT pg_notify('workbench_delivery', 'large-1 done')");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await announced();

    await withClient(url.toString(), (client) => client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE ${LISTENING}`, [database]));
    await until(() => logs.includes('postgres: live updates resumed.'));
    expect(logs).toEqual([
      `postgres: live updates paused: Postgres at ${url.host} closed the connection that brings live updates (DATABASE_URL=${url.toString().replace('live-secret', '****')}): terminating connection due to administrator command. [WORKBENCH_STORE_UNREACHABLE] ` +
        'Trying again every 1000 ms; meanwhile the inspector shows no new changes (reload it once they resume, to see what changed meanwhile).',
      'postgres: live updates resumed.',
    ]);
    await announced(); // on the new connection: it would wait until the test's timeout otherwise
    expect(new Set(changed.map((view) => view.id))).toEqual(new Set(['large-1']));
  });
});
