/**
 * Readers on a read-only database (a standby, or `default_transaction_read_only` on the database
 * or its user): step 5 and `npm run inspector` only read, so a database the writers (listener,
 * worker, `npm run db:migrate`) already set up is enough for them. Before, opening any store ran
 * the set-up (`CREATE SCHEMA IF NOT EXISTS`...) and both failed with "accepts no writes".
 */
import { describe, expect, it } from 'vitest';
import { startStandaloneInspector } from '../../scripts/inspector.ts';
import { formatError } from '../../steps/lib/core/run-step.ts';
import { migrateDatabase, openDatabase, readDeliveries } from '../../steps/lib/store/index.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { largeDeliveries, pgConfig, testDatabase, withClient } from '../helpers/postgres.ts';
import { sendJson } from '../inspector/http.ts';

/** Makes every later connection to `url`'s database read-only by default, as an operator would. */
async function makeReadOnly(url: string): Promise<string> {
  const database = new URL(url).pathname.slice(1);
  await withClient(url, (client) => client.query(`ALTER DATABASE ${database} SET default_transaction_read_only = on`));
  return database;
}

describe('Postgres store: readers on a read-only database', () => {
  it('already migrated: step 5 reads it, npm run inspector lists and shows it, and Retry now answers 503 saying it accepts no writes', async () => {
    const url = await testDatabase('read_only_reader');
    await migrateDatabase(pgConfig(url), () => {});
    await largeDeliveries(url, 1, 1, 'dead');
    const database = await makeReadOnly(url);

    const { deliveries } = await readDeliveries(pgConfig(url));
    expect(deliveries.map((d) => [d.id, d.body.length])).toEqual([['large-1', 1024 * 1024]]);

    const inspector = await startStandaloneInspector({ config: pgConfig(url, { INSPECT_PORT: '0' }), log: () => {} });
    onCleanup(() => inspector.close());
    const listed = await sendJson(`${inspector.url}/api/deliveries`);
    expect(listed).toMatchObject({ status: 200, body: { total: 1, deliveries: [{ id: 'large-1', handler: 'dead' }] } });
    expect(await sendJson(`${inspector.url}/api/deliveries/large-1`)).toMatchObject({ status: 200, body: { id: 'large-1', bodyBytes: 1024 * 1024 } });

    const retried = await sendJson(`${inspector.url}/api/deliveries/large-1/retry`, { method: 'POST', headers: { 'x-workbench-inspector': 'retry' } });
    expect(retried).toMatchObject({
      status: 503,
      body: {
        code: 'retry_failed',
        error: expect.stringMatching(
          new RegExp(
            `^Retry now failed: Postgres at [^ ]+ accepts no writes to the database in DATABASE_URL=${url}: .* in a read-only transaction\\. Next: If it is a standby, point DATABASE_URL at the primary\\. .*ALTER DATABASE ${database} RESET default_transaction_read_only;`,
          ),
        ),
      },
    });
    // Nothing changed: it is still dead.
    expect(await sendJson(`${inspector.url}/api/deliveries/large-1`)).toMatchObject({ status: 200, body: { handler: 'dead' } });
  });

  it('not migrated: WORKBENCH_STORE_FAILED saying the tables are not there, and Next: npm run db:migrate on a database that takes writes', async () => {
    const url = await testDatabase('read_only_empty');
    const database = await makeReadOnly(url);
    const error = await openDatabase(pgConfig(url), { role: 'reader' }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(formatError(error)).toBe(
      `Error: The workbench's tables are not in the database in DATABASE_URL=${url}, and it accepts no writes, so this reader cannot create them. [WORKBENCH_STORE_FAILED]\n` +
        `Next: Run \`npm run db:migrate\` with DATABASE_URL pointing at the primary (or a user that may write), then start this again; or, in psql: ALTER DATABASE ${database} RESET default_transaction_read_only; or ALTER ROLE postgres RESET default_transaction_read_only; whichever has it.`,
    );
  });
});
