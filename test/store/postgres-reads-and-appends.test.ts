/**
 * A listener's appends have connections of their own: reads on its store (the inspector's list,
 * Retry now) that are slow or many never make a webhook wait for a connection, and never turn it
 * into a 503. Measured before: 12 inspector lists of 63 MiB bodies held all 10 connections for
 * 10 s, and webhooks sent meanwhile waited for them (past HTTP_TIMEOUT_MS: 503 store_unavailable).
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../steps/lib/store/postgres/postgres-store.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { validDeliveryRecord } from '../helpers/delivery-record.ts';
import { largeDeliveries, pgConfig, testDatabase } from '../helpers/postgres.ts';

describe('Postgres listener: reads and appends', () => {
  it('while reads wait on every one of its connections, an append is still stored at once', async () => {
    const url = await testDatabase('reads_and_appends');
    const config = pgConfig(url, { HTTP_TIMEOUT_MS: '1000' });
    const store = await openPostgresStore({ url, timeoutMs: config.httpTimeoutMs, retry: config.handlers, role: 'listener', connections: 2 });
    onCleanup(() => store.close());
    await largeDeliveries(url, 1, 1, 'dead');
    // Reads that take a while, cheaply: Retry now of a dead delivery whose row another session has
    // locked waits for that lock on one of the store's connections. Three hold both.
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    onCleanup(() => locker.end());
    await locker.query('BEGIN');
    await locker.query("SELECT id FROM workbench.delivery WHERE id = 'large-1' FOR UPDATE");
    const retry = store.retryNow?.bind(store);
    if (retry === undefined) throw new Error('the Postgres store has Retry now');
    const reads = Array.from({ length: 3 }, () =>
      retry('large-1').then(
        (result) => result.ok,
        (error: Error) => error.message,
      ),
    );
    const waiting = async () =>
      (await locker.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"))
        .rows[0]?.n;
    while ((await waiting()) !== 2) await new Promise((resolve) => setTimeout(resolve, 50));

    // Before its own pool, the append waited for one of those connections and failed after HTTP_TIMEOUT_MS.
    const stored = await store.append(
      validDeliveryRecord({ id: 'webhook-1', receivedAt: new Date().toISOString(), body: Buffer.from('{"n":1}') }, { dedupeKey: 'body:1' }),
      'pending',
    );
    expect(stored).toMatchObject({ id: 'webhook-1', handler: 'pending' });
    await locker.query('ROLLBACK');
    // One of them retries it; the others find it changed meanwhile.
    expect((await Promise.all(reads)).filter((ok) => ok === true)).toHaveLength(1);
  });
});
