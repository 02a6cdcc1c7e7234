/**
 * The Postgres listener's group commit (steps/lib/store/postgres/appender.ts): appends that arrive
 * together share one transaction, and batching changes nothing a caller can see. Copies of one
 * delivery in the same batch still make one first copy with one job; a record Postgres refuses
 * fails alone, never the deliveries batched with it; large bodies arriving together are all stored.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '../../steps/lib/delivery/index.ts';
import { openStore } from '../../steps/lib/store/open.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { validDeliveryRecord } from '../helpers/delivery-record.ts';
import { pgConfig, rows, testDatabase } from '../helpers/postgres.ts';

function record(n: number, key: string, overrides: Partial<DeliveryRecord> = {}): DeliveryRecord {
  const id = `appender-${String(n).padStart(3, '0')}`;
  return validDeliveryRecord({ id, receivedAt: new Date().toISOString(), body: Buffer.from(`{"n":${n}}`) }, { dedupeKey: key, ...overrides });
}

async function openListenerStore(label: string) {
  const url = await testDatabase(label);
  const store = await openStore(pgConfig(url), { role: 'listener' });
  onCleanup(() => store.close());
  return { url, store };
}

describe('Postgres appends, batched', () => {
  it('20 copies of 4 deliveries appended at once: one first copy and one job per delivery, the rest duplicates of it', async () => {
    const { url, store } = await openListenerStore('appender_dupes');
    const views = await Promise.all(Array.from({ length: 20 }, (_, n) => store.append(record(n, `body:${n % 4}`), 'pending')));

    expect(views.filter((view) => view.handler === 'pending').map((view) => view.dedupeKey)).toHaveLength(4);
    expect(new Set(views.filter((view) => view.handler === 'pending').map((view) => view.dedupeKey))).toEqual(
      new Set(['body:0', 'body:1', 'body:2', 'body:3']),
    );
    const stored = await rows<{ id: string; handler: string; dedupe_key: string; duplicate_of: string | null; job_id: string | null }>(
      url,
      'SELECT id, handler, dedupe_key, duplicate_of, job_id FROM workbench.delivery ORDER BY id',
    );
    expect(stored).toHaveLength(20);
    const firsts = stored.filter((row) => row.duplicate_of === null);
    expect(firsts.map((row) => row.handler)).toEqual(['pending', 'pending', 'pending', 'pending']);
    const firstOf = new Map(firsts.map((row) => [row.dedupe_key, row.id]));
    for (const row of stored.filter((r) => r.duplicate_of !== null)) {
      expect(row).toMatchObject({ handler: 'duplicate', job_id: null, duplicate_of: firstOf.get(row.dedupe_key) });
    }
    // Each view says what its row says, including which delivery a duplicate repeats.
    for (const view of views) {
      const row = stored.find((r) => r.id === view.id);
      expect(view.handler).toBe(row?.handler);
      if (row?.duplicate_of) expect(view.reason).toContain(`a duplicate of ${row.duplicate_of}`);
    }
    const jobs = await rows<{ id: string; data: { deliveryId: string; jobId: string } }>(
      url,
      "SELECT id, data FROM pgboss.job WHERE name = 'webhook-delivery'",
    );
    expect(jobs.map((job) => job.data.deliveryId).sort()).toEqual(firsts.map((row) => row.id).sort());
    for (const job of jobs) expect(job.id).toBe(job.data.jobId);
    expect(new Set(jobs.map((job) => job.id))).toEqual(new Set(firsts.map((row) => row.job_id)));
  });

  it('a record Postgres refuses fails alone: the deliveries batched with it are stored and answered', async () => {
    const { url, store } = await openListenerStore('appender_bad_row');
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, n) => store.append(record(n, `body:${n}`, n === 4 ? { receivedAt: 'not a time' } : {}), 'pending')),
    );
    expect(results.map((result) => result.status)).toEqual(Array.from({ length: 10 }, (_, n) => (n === 4 ? 'rejected' : 'fulfilled')));
    const stored = await rows<{ id: string }>(url, 'SELECT id FROM workbench.delivery ORDER BY id');
    expect(stored.map((row) => row.id)).toEqual(Array.from({ length: 10 }, (_, n) => `appender-${String(n).padStart(3, '0')}`).filter((_, n) => n !== 4));
    expect(await rows(url, "SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'webhook-delivery'")).toEqual([{ n: 9 }]);
  });

  it('large bodies waiting together go in transactions of at most 16 MiB of bodies, each stored byte for byte', async () => {
    const { url, store } = await openListenerStore('appender_large');
    // While a small delivery commits, three of 9 MiB arrive and wait for the next transaction. A batch
    // bounded only by its count took all three in one statement, and pg writes a batch's bodies as
    // one bytea text (2 characters a byte): past ~256 MiB of bodies (six of 45 MiB, measured) that is
    // more than a JavaScript string holds, and the batch was refused every time its senders retried.
    // Two of 9 MiB are over 16 MiB, so each goes alone.
    const size = 9 * 1024 * 1024;
    const bodies = [Buffer.from('{"small":true}'), ...Array.from({ length: 3 }, (_, n) => Buffer.alloc(size, `large body ${n} `))];
    await Promise.all(bodies.map((body, n) => store.append(record(n, `body:large-${n}`, { body, bodyBytes: body.length }), 'pending')));
    const stored = await rows<{ id: string; bytes: number; md5: string; transaction: string }>(
      url,
      'SELECT id, length(body) AS bytes, md5(body) AS md5, xmin::text AS transaction FROM workbench.delivery ORDER BY id',
    );
    expect(stored.map(({ id, bytes, md5 }) => ({ id, bytes, md5 }))).toEqual(
      bodies.map((body, n) => ({ id: `appender-00${n}`, bytes: body.length, md5: createHash('md5').update(body).digest('hex') })),
    );
    expect(new Set(stored.map((row) => row.transaction)).size).toBe(4);
  });
});
