/**
 * Postgres closing a process's idle connections (an administrator's pg_terminate_backend here; a
 * restart or a crash does the same): the process says it once, with the store's code and a
 * `Next:` line, however many connections it lost across its pools; again after a new connection
 * opened and was lost too. Before: one uncoded line per connection,
 * `postgres: a pooled connection failed (terminating connection due to administrator command); it will be replaced.`
 */
import { describe, expect, it } from 'vitest';
import { signed, userCreate } from '../helpers/listener.ts';
import { burst, startPgListener, testDatabase, withClient } from '../helpers/postgres.ts';
import { until } from '../helpers/until.ts';

describe("Postgres closes a listener's idle connections", () => {
  it('says so once per loss with [WORKBENCH_STORE_UNREACHABLE] and Next:, and the next webhook is stored on a new connection', async () => {
    // Trust authentication ignores the password: it is there to show that no line prints it.
    const url = new URL(await testDatabase('pool_errors'));
    url.password = 'pool-secret';
    const database = url.pathname.slice(1);
    const { listener, logs } = await startPgListener(url.toString());
    const said = () => logs.filter((line) => /^(postgres|Next):/.test(line));
    const terminate = async () => {
      const ended = await withClient(url.toString(), (client) =>
        client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]),
      );
      return ended.rowCount ?? 0;
    };
    const lost = [
      `postgres: Postgres at ${url.host} closed this process's idle connections (DATABASE_URL=${url.toString().replace('pool-secret', '****')}): terminating connection due to administrator command. [WORKBENCH_STORE_UNREACHABLE]`,
      'Next: Nothing, if Postgres was restarted: this process opens new connections as it needs them. If it stopped, start it (e.g. `pg_ctlcluster 15 main start`).',
    ];

    // Just started, a listener holds several idle connections in two pools (its reads and pg-boss's, its appends).
    expect(await terminate()).toBeGreaterThan(1);
    await until(() => said().length >= 2);
    const [first] = await burst([listener.url], [signed(userCreate(1))], { concurrency: 1 });
    expect(first?.status).toBe(200);
    expect(await terminate()).toBeGreaterThan(0);
    await until(() => said().length >= 4);
    const [second] = await burst([listener.url], [signed(userCreate(2))], { concurrency: 1 });
    expect(second?.status).toBe(200);

    expect(said()).toEqual([...lost, ...lost]);
    expect(logs.join('\n')).not.toContain('pool-secret');
  });
});
