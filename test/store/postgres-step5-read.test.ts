/**
 * What step 5 reads from Postgres (readDeliveries): the newest deliveries, as it reads the journal
 * without DATABASE_URL: the newest 200, or fewer once their bodies pass 64 MiB (about what the
 * journal keeps by default), always the newest. Reading all 200 with their bodies, whatever their
 * size, made step 5 fail with "Unexpected error: Error: Query read timeout" and a stack trace once
 * large bodies were stored (measured: 12 of 66 MiB).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readDeliveries } from '../../steps/lib/store/open.ts';
import { signed, userCreate } from '../helpers/listener.ts';
import { burst, largeDeliveries, pgConfig, rows, startPgListener, testDatabase } from '../helpers/postgres.ts';

describe('step 5 on Postgres', () => {
  it('reads the newest deliveries until their bodies pass 64 MiB, the newest first, byte for byte', async () => {
    const url = await testDatabase('step5_large');
    const { listener } = await startPgListener(url);
    // Five deliveries of 20 MiB, then the one step 5 is looking for.
    await largeDeliveries(url, 5, 20);
    const sent = signed(userCreate(5));
    const [answer] = await burst([listener.url], [sent], { concurrency: 1 });
    const id = answer?.body.id ?? '';

    const { deliveries, location } = await readDeliveries(pgConfig(url));
    expect(location).toBe(`store: ${url}`);
    // Oldest first, the newest last: the one just sent, then the large ones whose newer ones' bodies
    // come to less than 64 MiB (0, 20, 40 and 60 MiB); large-1 (80 MiB newer) is left out.
    expect(deliveries.map((d) => d.id)).toEqual(['large-2', 'large-3', 'large-4', 'large-5', id]);
    expect(deliveries.at(-1)?.body.equals(sent.body)).toBe(true);
    const [large] = await rows<{ md5: string }>(url, "SELECT md5(body) AS md5 FROM workbench.delivery WHERE id = 'large-5'");
    expect(
      createHash('md5')
        .update(deliveries[3]?.body ?? Buffer.alloc(0))
        .digest('hex'),
    ).toBe(large?.md5);
  }, 60_000);
});
