/**
 * A database an operator configured against the workbench: settings on the database (or its role)
 * that make Postgres cancel or refuse the workbench's statements. Each start fails with the store's
 * coded error naming the setting and the psql line that undoes it, not a misleading one
 * (statement_timeout: "did not answer … start Postgres"; read-only: "check that its user may create tables").
 */
import { describe, expect, it } from 'vitest';
import { formatError } from '../../steps/lib/core/run-step.ts';
import { migrateDatabase } from '../../steps/lib/store/open.ts';
import { pgConfig, testDatabase, withClient } from '../helpers/postgres.ts';

/** What `npm run db:migrate` prints when it fails on `url`. */
async function migrateFailure(url: string): Promise<string> {
  const error = await migrateDatabase(pgConfig(url), () => {}).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, 'db:migrate succeeded').toBeDefined();
  return formatError(error);
}

describe('a database configured against the workbench', () => {
  it('statement_timeout too short: says Postgres cancelled the statement and how to undo the setting, not that Postgres is unreachable', async () => {
    const url = await testDatabase('short_statements');
    const database = new URL(url).pathname.slice(1);
    await withClient(url, (client) => client.query(`ALTER DATABASE ${database} SET statement_timeout = '1ms'`));
    expect(await migrateFailure(url)).toBe(
      `Error: Postgres at ${new URL(url).host} cancelled one of the workbench's statements (DATABASE_URL=${url}): canceling statement due to statement timeout. [WORKBENCH_STORE_FAILED]\n` +
        `Next: statement_timeout, set on the database or user in DATABASE_URL, is too short for the workbench (it bounds its own statements by HTTP_TIMEOUT_MS): in psql, ALTER DATABASE ${database} RESET statement_timeout; or ALTER ROLE postgres RESET statement_timeout; whichever has it.`,
    );
  });

  it('read-only by default (default_transaction_read_only): says the database accepts no writes and how to undo it, not to check the user may create tables', async () => {
    const url = await testDatabase('read_only');
    const database = new URL(url).pathname.slice(1);
    await withClient(url, (client) => client.query(`ALTER DATABASE ${database} SET default_transaction_read_only = on`));
    expect(await migrateFailure(url)).toBe(
      `Error: Postgres at ${new URL(url).host} accepts no writes to the database in DATABASE_URL=${url}: cannot execute CREATE SCHEMA in a read-only transaction. [WORKBENCH_STORE_FAILED]\n` +
        `Next: If it is a standby, point DATABASE_URL at the primary. If the database or user is read-only by default, in psql: ALTER DATABASE ${database} RESET default_transaction_read_only; or ALTER ROLE postgres RESET default_transaction_read_only; whichever has it.`,
    );
  });

  it('TLS asked for (sslmode=require) of a server without it: says so and what to change, not to check the user may create tables', async () => {
    const url = `${await testDatabase('no_tls')}?sslmode=require`;
    expect(await migrateFailure(url)).toBe(
      `Error: Postgres at ${new URL(url).host} does not accept TLS, which DATABASE_URL=${url} asks for: The server does not support SSL connections. [WORKBENCH_STORE_FAILED]\n` +
        'Next: Turn TLS on in the server (ssl = on in postgresql.conf, with a certificate), or, if it is on this machine or a trusted network, remove sslmode (or ssl) from DATABASE_URL.',
    );
  });
});
