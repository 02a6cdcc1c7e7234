/**
 * Issue 10, schema and start-up: listeners and workers that start at the same moment on a new
 * database all start; the workbench's migrations are applied once, pg-boss's schema and queues
 * are created once. (pg-boss on its own fails here: its CREATE SCHEMA races, see migrations.ts.)
 */
import { describe, expect, it } from 'vitest';
import { openDatabase, openStore } from '../../steps/lib/store/open.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { pgConfig, rows, testDatabase } from '../helpers/postgres.ts';

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
