/**
 * Issue 10, schema and start-up: listeners and workers that start at the same moment on a new
 * database all start; the workbench's migrations are applied once, pg-boss's schema and queues
 * are created once. (pg-boss on its own fails here: its CREATE SCHEMA races, see migrations.ts.)
 * A database a newer workbench migrated: still opened (a rolling upgrade's older listeners keep
 * working), and `npm run db:migrate` says it is newer, with both versions, instead of "up to date".
 */
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../steps/lib/store/postgres/migrations.ts';
import { migrateDatabase, openDatabase, openStore } from '../../steps/lib/store/open.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { pgConfig, rows, testDatabase, withClient } from '../helpers/postgres.ts';
import { runScript } from '../helpers/process.ts';

describe('Postgres store: start-up', () => {
  it('two listeners and two workers opened at the same moment on a new database all start, and migrate it once', async () => {
    const url = await testDatabase('setup_race');
    const config = pgConfig(url);
    const opened = await Promise.allSettled([
      openStore(config, { role: 'listener' }),
      openStore(config, { role: 'listener' }),
      openDatabase(config, { role: 'worker' }),
      openDatabase(config, { role: 'worker' }),
    ]);
    for (const result of opened) if (result.status === 'fulfilled') onCleanup(() => result.value.close());
    expect(opened.map((result) => (result.status === 'fulfilled' ? 'started' : String(result.reason)))).toEqual(['started', 'started', 'started', 'started']);
    expect(await rows(url, 'SELECT version FROM workbench.schema_migration')).toEqual([{ version: 1 }, { version: 2 }]);
    expect(await rows(url, "SELECT name FROM pgboss.queue WHERE name LIKE 'webhook-delivery%' ORDER BY name")).toEqual([
      { name: 'webhook-delivery' },
      { name: 'webhook-delivery-dead' },
    ]);
  });
});

describe('a database migrated by a newer workbench', () => {
  it('npm run db:migrate says its schema is newer than this workbench knows, with both versions, and exits 0; a listener still opens it', async () => {
    const url = await testDatabase('newer_schema');
    const config = pgConfig(url);
    await migrateDatabase(config, () => {});
    // What a newer workbench's next migration leaves behind.
    const newer = SCHEMA_VERSION + 1;
    await withClient(url, (client) =>
      client.query("INSERT INTO workbench.schema_migration (version, description) VALUES ($1, 'from a newer workbench')", [newer]),
    );

    const result = await runScript('scripts/db-migrate.ts', { env: { DATABASE_URL: url } });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).not.toContain('up to date');
    expect(result.stdout).toContain(
      `${url}: its schema is at version ${newer}, newer than this workbench knows (up to ${SCHEMA_VERSION}): a newer workbench migrated it. Nothing to apply.\n` +
        "Next: Nothing, during a rolling upgrade: this workbench's listeners and workers keep working on it. Otherwise update this checkout (git pull) to the workbench that migrated it.\n",
    );
    const listener = await openStore(config, { role: 'listener' });
    onCleanup(() => listener.close());
    expect(await listener.counts()).toMatchObject({ pending: 0 });
  });
});
