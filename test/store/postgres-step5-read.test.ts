/**
 * What step 5 reads from Postgres (readDeliveries): the newest deliveries, as it reads the journal
 * without DATABASE_URL: the newest 200, or fewer once their bodies pass 64 MiB (about what the
 * journal keeps by default), always the newest. Reading all 200 with their bodies, whatever their
 * size, made step 5 fail with "Unexpected error: Error: Query read timeout" and a stack trace once
 * large bodies were stored (measured: 12 of 66 MiB).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { migrateDatabase, readDeliveries } from '../../steps/lib/store/open.ts';
import { signed, userCreate } from '../helpers/listener.ts';
import { burst, largeDeliveries, pgConfig, rows, startPgListener, testDatabase } from '../helpers/postgres.ts';

describe('step 5 on Postgres', () => {
  it('reads the newest deliveries until their bodies pass the budget (64 MiB by default), the newest first, byte for byte', async () => {
    const url = await testDatabase('step5_large');
    const { listener } = await startPgListener(url);
    // Five deliveries of 2 MiB, then the one step 5 is looking for; a budget of 7 MiB stands for the 64.
    await largeDeliveries(url, 5, 2);
    const sent = signed(userCreate(5));
    const [answer] = await burst([listener.url], [sent], { concurrency: 1 });
    const id = answer?.body.id ?? '';

    const { deliveries, location } = await readDeliveries(pgConfig(url), { bodyBytes: 7 * 1024 * 1024 });
    expect(location).toBe(`store: ${url}`);
    // Oldest first, the newest last: the one just sent, then the large ones whose newer ones' bodies
    // come to less than 7 MiB (0, 2, 4 and 6 MiB); large-1 (8 MiB newer) is left out.
    expect(deliveries.map((d) => d.id)).toEqual(['large-2', 'large-3', 'large-4', 'large-5', id]);
    expect(deliveries.at(-1)?.body.equals(sent.body)).toBe(true);
    const [large] = await rows<{ md5: string }>(url, "SELECT md5(body) AS md5 FROM workbench.delivery WHERE id = 'large-5'");
    expect(
      createHash('md5')
        .update(deliveries[3]?.body ?? Buffer.alloc(0))
        .digest('hex'),
    ).toBe(large?.md5);
  });

  it('a newest delivery larger than the budget is still read', async () => {
    const url = await testDatabase('step5_one_large');
    await migrateDatabase(pgConfig(url), () => {});
    await largeDeliveries(url, 2, 2);
    const { deliveries } = await readDeliveries(pgConfig(url), { bodyBytes: 1024 * 1024 });
    expect(deliveries.map((d) => [d.id, d.body.length])).toEqual([['large-2', 2 * 1024 * 1024]]);
  });
});
