/**
 * DATABASE_URL in libpq's socket form, `postgres://user:password@/database?host=/socket/folder`
 * (no host between the `@` and the database; pg and libpq both accept it): `npm run db:migrate`
 * reaches the suite's server over its Unix socket, and one whose folder has no socket says so,
 * naming the folder, with the password hidden. Before: refused as config
 * (`DATABASE_URL="****@/…" is not valid: expected a URL that parses`), although the
 * percent-encoded form of the same URL worked.
 */
import { describe, expect, it } from 'vitest';
import { rows, testDatabase } from '../helpers/postgres.ts';
import { runScript } from '../helpers/process.ts';

describe("DATABASE_URL in libpq's socket form", () => {
  it('npm run db:migrate migrates over the socket, and names the folder when no Postgres is there, without the password', async () => {
    const tcp = new URL(await testDatabase('socket_url'));
    const database = tcp.pathname.slice(1);
    const [setting] = await rows<{ unix_socket_directories: string }>(tcp.toString(), 'SHOW unix_socket_directories');
    const folder = setting?.unix_socket_directories.split(',')[0]?.trim() ?? '';
    expect(folder).toMatch(/^\//);
    // Trust authentication ignores the password: it is there to show that no line prints it.
    const socketUrl = `postgres://postgres:sock-secret@/${database}?host=${folder}&port=${tcp.port}`;
    const missing = `postgres://postgres:sock-secret@/${database}?host=/nonexistent/workbench-socket-dir`;

    const migrate = (url: string) => runScript('scripts/db-migrate.ts', { env: { DATABASE_URL: url, HTTP_TIMEOUT_MS: '5000' } });
    const [migrated, refused] = await Promise.all([migrate(socketUrl), migrate(missing)]);
    expect(migrated.code, migrated.stdout + migrated.stderr).toBe(0);
    expect(migrated.stdout).toContain(
      `postgres://postgres:****@/${database}?host=${folder}&port=${tcp.port}: applied migration(s) 1, 2; pg-boss's schema is ready too.`,
    );
    expect(await rows(tcp.toString(), 'SELECT version FROM workbench.schema_migration ORDER BY version')).toEqual([{ version: 1 }, { version: 2 }]);
    // The same URL goes over the socket, not TCP to localhost: the server sees no client address.
    expect(await rows(socketUrl, 'SELECT inet_client_addr() AS address')).toEqual([{ address: null }]);

    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `Error: Nothing accepts connections at /nonexistent/workbench-socket-dir:5432 (DATABASE_URL=postgres://postgres:****@/${database}?host=/nonexistent/workbench-socket-dir): there is no Postgres socket in that folder. [WORKBENCH_STORE_UNREACHABLE]\n`,
    );
    expect(refused.stderr).toMatch(/^Next: Start Postgres/m);
    for (const result of [migrated, refused]) expect(result.stdout + result.stderr).not.toContain('sock-secret');
  });
});
