/**
 * Issue 10, start-up with a wrong DATABASE_URL: `npm run worker` (as listeners and step 5 do) fails
 * at once naming DATABASE_URL and what to do, within HTTP_TIMEOUT_MS, with the password hidden and
 * no stack trace: nothing listening (on a port, or at a Unix socket), an unknown host, something that is not Postgres, a refused
 * login, a missing database, and a URL that is not postgres:// at all. Then a user who may connect
 * but not create the workbench's tables (a managed database's app user).
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { onCleanup } from '../helpers/cleanup.ts';
import { testDatabase, withClient } from '../helpers/postgres.ts';
import { runScript } from '../helpers/process.ts';

describe('a wrong DATABASE_URL', () => {
  it('fails at start naming DATABASE_URL and what to do, without the password or a stack trace', async () => {
    const url = new URL(await testDatabase('bad_url'));
    const password = 'hunter2-do-not-print';
    // Not Postgres: a server that accepts a connection and closes it at once.
    const closer = await closingServer();
    const at = (change: (u: URL) => void) => {
      const copy = new URL(url);
      copy.username = 'workbench';
      copy.password = password;
      change(copy);
      return copy.toString();
    };
    const cases = [
      {
        url: at((u) => {
          u.port = '1';
        }),
        code: 'WORKBENCH_STORE_UNREACHABLE',
        says: 'connection refused',
        next: 'Start Postgres',
      },
      {
        url: at((u) => {
          u.hostname = 'no-such-host.invalid';
        }),
        code: 'WORKBENCH_STORE_UNREACHABLE',
        says: 'does not resolve',
        next: 'host name',
      },
      {
        url: at((u) => {
          u.port = String(closer.port);
        }),
        code: 'WORKBENCH_STORE_UNREACHABLE',
        says: 'closed it without answering',
        next: 'host and port',
      },
      {
        // A Unix socket folder (libpq's form: the path, percent-encoded, as the host) where no Postgres runs.
        url: at((u) => {
          u.hostname = encodeURIComponent('/nonexistent/workbench-socket-dir');
        }),
        code: 'WORKBENCH_STORE_UNREACHABLE',
        says: 'Nothing accepts connections at /nonexistent/workbench-socket-dir:',
        next: 'Start Postgres',
      },
      { url: at(() => {}), code: 'WORKBENCH_STORE_AUTH_FAILED', says: 'refused the login', next: 'user and password' },
      {
        url: at((u) => {
          u.username = 'postgres';
          u.pathname = '/no_such_database';
        }),
        code: 'WORKBENCH_STORE_DATABASE_MISSING',
        says: 'does not exist',
        next: 'createdb',
      },
    ];
    // Not a postgres:// URL at all: refused as config, before any connection.
    const notPostgres = `mysql://app:${password}@db/x`;
    // None of them hangs (HTTP_TIMEOUT_MS bounds the connection attempt): the test's own timeout says so. A
    // wall-clock bound here failed on a loaded machine, where seven workers starting at once take 16 s.
    const [results, refused] = await Promise.all([
      Promise.all(cases.map((c) => runScript('scripts/worker.ts', { env: { DATABASE_URL: c.url, HTTP_TIMEOUT_MS: '5000' } }))),
      runScript('scripts/worker.ts', { env: { DATABASE_URL: notPostgres } }),
    ]);
    results.forEach((result, i) => {
      const c = cases[i] as (typeof cases)[number];
      const output = result.stdout + result.stderr;
      expect(result.code, output).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`^Error: .*DATABASE_URL=postgres://\\w+:\\*\\*\\*\\*@.* \\[${c.code}\\]$`, 'm'));
      expect(result.stderr).toContain(c.says);
      expect(result.stderr).toMatch(new RegExp(`^Next: .*${c.next}`, 'm'));
      expect(output).not.toContain(password);
      expect(output).not.toMatch(/^\s+at /m);
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('DATABASE_URL="mysql://app:****@db/x" is not valid: expected a postgres:// URL');
    expect(refused.stderr).toContain('[WORKBENCH_CONFIG_INVALID]');
    expect(refused.stdout + refused.stderr).not.toContain(password);
  });
});

describe('a DATABASE_URL user who may not create the tables', () => {
  it('db:migrate and a worker fail with a coded error naming the GRANT that fixes it, without the password or a stack trace', async () => {
    const url = new URL(await testDatabase('no_create'));
    const role = `limited_${randomBytes(4).toString('hex')}`;
    const password = 'limited-pass-do-not-print';
    // A role that may connect (PUBLIC may) but not create schemas: a managed database's app user.
    await withClient(url.toString(), (client) => client.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`));
    onCleanup(() => withClient(url.toString(), (client) => client.query(`DROP ROLE IF EXISTS ${role}`)));
    const limited = new URL(url);
    limited.username = role;
    limited.password = password;
    const database = url.pathname.slice(1);

    const results = await Promise.all(
      ['scripts/db-migrate.ts', 'scripts/worker.ts'].map((file) => runScript(file, { env: { DATABASE_URL: limited.toString(), HTTP_TIMEOUT_MS: '5000' } })),
    );
    for (const result of results) {
      const output = result.stdout + result.stderr;
      expect(result.code, output).toBe(1);
      expect(result.stderr).toContain(
        `Error: The user in DATABASE_URL=postgres://${role}:****@${url.host}/${database} may not set up the workbench's tables in that database: permission denied for database ${database}. [WORKBENCH_STORE_FAILED]\n` +
          `Next: Let it, as the database's owner in psql: GRANT CREATE ON DATABASE ${database} TO ${role}; or point DATABASE_URL at a database it owns.\n`,
      );
      expect(output).not.toContain(password);
      expect(output).not.toMatch(/^\s+at /m);
    }
  });
});

/** A TCP server on a free loopback port that closes every connection it accepts; closed when the test ends. */
async function closingServer(): Promise<{ port: number }> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port };
}
