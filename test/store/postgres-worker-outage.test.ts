/**
 * `npm run worker` while Postgres is down: it says so once, with the store's code and what to do
 * (DATABASE_URL with its password hidden), says when Postgres answers again, and handles new
 * deliveries again without a restart; its pool says once that its idle connections were lost. Before: pg-boss's error at every poll was logged as
 * `queue: connect ECONNREFUSED 127.0.0.1:<port>`, with no code and no `Next:`, again every 30 s
 * (measured: at 0, 30 and 60 s of a 75 s outage), and nothing when Postgres came back.
 * Its tables dropped under it (a database dropped and created again): it says they are missing and
 * that `npm run db:migrate` brings them back (before: "Check … that its user may create tables",
 * every 30 s), and takes jobs again once they are back.
 */
import { describe, expect, it } from 'vitest';
import { signed, userCreate } from '../helpers/listener.ts';
import { migrateDatabase } from '../../steps/lib/store/open.ts';
import { burst, pgConfig, privatePostgres, startPgListener, testDatabase, withClient } from '../helpers/postgres.ts';
import { startScript } from '../helpers/process.ts';

describe('Postgres stopped under a worker', () => {
  it('npm run worker says the outage once ([WORKBENCH_STORE_UNREACHABLE] and Next:), then that it is over, and handles a delivery sent after', async () => {
    const server = await privatePostgres('worker_outage');
    // Trust authentication ignores the password: it is there to show that no line prints it.
    const url = (await server.createDatabase('worker_outage')).replace('postgres@', 'postgres:outage-secret@');
    const shown = url.replace('outage-secret', '****');
    const worker = startScript('scripts/worker.ts', { env: { DATABASE_URL: url } });
    await worker.waitFor(/^Worker ready/m);

    await server.crash();
    await worker.waitFor(/^queue: /m, 10_000);
    // The dead-letter queue and pg-boss's maintenance poll every second: three seconds of polls say nothing more.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await server.start();
    await worker.waitFor(/^queue: Postgres answers again/m, 15_000);

    const { listener } = await startPgListener(url);
    const [sent] = await burst([listener.url], [signed(userCreate(1))], { concurrency: 1 });
    expect(sent?.status).toBe(200);
    await worker.waitFor(new RegExp(`^handled User_Create ${sent?.body.id} by onUser`, 'm'), 15_000);

    expect(worker.lines().filter((line) => /^(queue: |postgres: Postgres at |Next: )/.test(line))).toEqual([
      // Its idle connections died with Postgres: said once, not once per connection.
      `postgres: Postgres at 127.0.0.1:${server.port} closed this process's idle connections (DATABASE_URL=${shown}): Connection terminated unexpectedly. [WORKBENCH_STORE_UNREACHABLE]`,
      'Next: Nothing, if Postgres was restarted: this process opens new connections as it needs them. If it stopped, start it (e.g. `pg_ctlcluster 15 main start`).',
      `queue: Nothing accepts connections at 127.0.0.1:${server.port} (DATABASE_URL=${shown}): connection refused. [WORKBENCH_STORE_UNREACHABLE]`,
      'Next: Start Postgres (e.g. `pg_ctlcluster 15 main start`), or fix the host and port in DATABASE_URL. Until then no jobs are taken; this process takes them again by itself once Postgres answers.',
      'queue: Postgres answers again; jobs are taken again.',
    ]);
    expect(worker.stdout() + worker.stderr()).not.toContain('outage-secret');
    expect(await worker.stop()).toBe(0);
  });
});

describe("the workbench's tables dropped under a running worker (a database dropped and created again)", () => {
  it('npm run worker says the tables are missing and that npm run db:migrate brings them back, then takes jobs again once it has', async () => {
    const url = await testDatabase('tables_dropped');
    const worker = startScript('scripts/worker.ts', { env: { DATABASE_URL: url } });
    await worker.waitFor(/^Worker ready/m);

    await withClient(url, (client) => client.query('DROP SCHEMA pgboss CASCADE; DROP SCHEMA workbench CASCADE'));
    await worker.waitFor(/^Next: .*db:migrate/m, 15_000);
    expect(worker.lines().filter((line) => /^(queue: |Next: )/.test(line))).toEqual([
      `queue: The workbench's tables are missing from the database in DATABASE_URL=${url}: relation "pgboss.version" does not exist (was the database dropped and created again?). [WORKBENCH_STORE_FAILED]`,
      'Next: Run `npm run db:migrate` to create them again: running listeners and workers carry on once they exist.',
    ]);

    await migrateDatabase(pgConfig(url), () => {});
    const { listener } = await startPgListener(url);
    const [sent] = await burst([listener.url], [signed(userCreate(1))], { concurrency: 1 });
    expect(sent?.status).toBe(200);
    await worker.waitFor(new RegExp(`^handled User_Create ${sent?.body.id} by onUser`, 'm'), 15_000);
    expect(await worker.stop()).toBe(0);
  });
});
