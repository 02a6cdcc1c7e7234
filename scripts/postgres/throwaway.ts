/**
 * A throwaway PostgreSQL server for the tests and the bench: `initdb -A trust` into a new temp
 * folder, then `pg_ctl start` on a free loopback port with the socket in that folder. Nothing is
 * shared with the machine's own cluster, so two runs of the suite at once never meet, and `stop()`
 * removes every file it made. Postgres refuses to run as root, so as root the binaries run through
 * `runuser -u postgres --` with the folder handed to that user; as anyone else they run directly.
 *
 * @example
 * const server = await startThrowawayPostgres();
 * const url = await server.createDatabase('store_test'); // postgres://postgres@127.0.0.1:<port>/store_test
 * await server.crash();   // pg_ctl stop -m immediate: what a power cut leaves (minus the disk cache)
 * await server.start();   // the same data, the same port
 * await server.stop();    // stops it and removes its folder
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** Where Debian's postgresql package puts the server binaries. */
const POSTGRES_LIB = '/usr/lib/postgresql';
const PREFERRED_VERSION = '15';

export interface ThrowawayOptions {
  /** Names the temp folder (`workbench-pg-<label>-XXXXXX`), for whoever finds one after a crash. */
  readonly label?: string;
  /**
   * false: `fsync=off` (a test server: nothing here must survive a power cut, and the suite runs
   * faster). true (the default, and what the bench uses): Postgres as installed, every commit flushed.
   */
  readonly durable?: boolean;
}

export interface ThrowawayPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication: no password). */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Creates a database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Drops a database, closing whatever is still connected to it. */
  dropDatabase(name: string): Promise<void>;
  /** `pg_ctl stop -m immediate`: every connection is cut, nothing is checkpointed. */
  crash(): Promise<void>;
  /** Starts it again after `crash()`, on the same port. */
  start(): Promise<void>;
  /** Stops the server (if running) and removes its folder. Safe to call twice. */
  stop(): Promise<void>;
  /** `stop()` for an 'exit' handler (Ctrl-C): synchronous, never throws. */
  stopSync(): void;
}

/** The folder holding initdb and pg_ctl: PostgreSQL 15 if installed, else the newest there is. */
export async function postgresBinDir(): Promise<string> {
  const preferred = join(POSTGRES_LIB, PREFERRED_VERSION, 'bin');
  if (existsSync(join(preferred, 'initdb'))) return preferred;
  const versions = await readdir(POSTGRES_LIB).catch(() => [] as string[]);
  const found = versions.filter((version) => existsSync(join(POSTGRES_LIB, version, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))[0];
  if (found !== undefined) return join(POSTGRES_LIB, found, 'bin');
  throw new Error(
    `PostgreSQL server binaries (initdb, pg_ctl) are not installed: looked in ${preferred}. ` +
      'Install them with `apt-get install -y postgresql` (the Postgres store tests and `npm run bench -- --only scale` start their own servers).',
  );
}

/** Starts a new, empty server; rejects with the server's log when it cannot. */
export async function startThrowawayPostgres(options: ThrowawayOptions = {}): Promise<ThrowawayPostgres> {
  const bin = await postgresBinDir();
  const dir = await mkdtemp(join(tmpdir(), `workbench-pg-${options.label ?? 'server'}-`));
  const data = join(dir, 'data');
  const asRoot = userInfo().uid === 0;
  // Postgres will not run as root: as root, run its binaries as the postgres user, in a folder it owns.
  const command = async (file: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, file), ...args]) : run(join(bin, file), args);
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']).catch(() => {
      throw new Error('Running as root, but there is no `postgres` user to run PostgreSQL as: install the postgresql package (apt-get install -y postgresql).');
    });
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }

  let running = false;
  let removed = false;
  let port = 0;
  const pgCtl = (args: string[]) => command('pg_ctl', ['-D', data, ...args]);
  const pgCtlSync = (args: string[]) => {
    const argv = [join(bin, 'pg_ctl'), '-D', data, ...args];
    execFileSync(asRoot ? 'runuser' : (argv[0] as string), asRoot ? ['-u', 'postgres', '--', ...argv] : argv.slice(1), { stdio: 'ignore' });
  };
  const start = async (): Promise<void> => {
    const settings = [
      `-p ${port}`,
      `-k ${dir}`,
      '-c listen_addresses=127.0.0.1',
      '-c max_connections=300',
      ...(options.durable === false ? ['-c fsync=off', '-c full_page_writes=off'] : []),
    ];
    try {
      await pgCtl(['-o', settings.join(' '), '-l', join(dir, 'server.log'), '-w', '-t', '30', 'start']);
    } catch (error) {
      throw new Error(`PostgreSQL did not start on port ${port}: ${describeFailure(error)}`);
    }
    running = true;
  };

  try {
    await command('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
    // A free port can be taken between asking and binding (another run of the suite): try a few.
    for (let attempt = 1; ; attempt += 1) {
      port = await freePort();
      try {
        await start();
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
  } catch (error) {
    if (running) await pgCtl(['-m', 'immediate', 'stop']).catch(() => {});
    await rm(dir, { recursive: true, force: true });
    throw error instanceof Error && error.message.startsWith('PostgreSQL') ? error : new Error(`initdb failed: ${describeFailure(error)}`);
  }

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;

  return {
    url,
    port,
    dir,
    createDatabase: (name) => createDatabase(url, name),
    async dropDatabase(name) {
      if (running) await dropDatabase(url, name);
    },
    async crash() {
      if (!running) return;
      running = false;
      await pgCtl(['-m', 'immediate', 'stop']);
    },
    start,
    async stop() {
      if (removed) return;
      removed = true;
      if (running) {
        running = false;
        await pgCtl(['-m', 'immediate', 'stop']).catch(() => {});
      }
      await rm(dir, { recursive: true, force: true });
    },
    stopSync() {
      if (removed) return;
      removed = true;
      try {
        if (running) pgCtlSync(['-m', 'immediate', 'stop']);
      } catch {
        // Exiting anyway: at worst the server outlives us, in a folder under the temp dir.
      }
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `body` with a new client on `url`, then closes it: the one way the tests and the bench open a connection of their own. */
export async function withClient<T>(url: string, body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

/** Creates database `name` on the server `serverUrl` points at; returns the new database's URL. */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${quoteIdentifier(name)}`));
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

/** Drops database `name` on the server `serverUrl` points at, closing whatever is still connected to it. */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`));
}

/** "name" with embedded quotes doubled: safe to splice into SQL as an identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function describeFailure(error: unknown): string {
  const { stderr, stdout, message } = error as { stderr?: string; stdout?: string; message?: string };
  return (stderr || stdout || message || String(error)).trim();
}
