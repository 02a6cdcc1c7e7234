/**
 * Databases for the Postgres store tests, on the run's throwaway server (test/postgres-setup.ts):
 * each call makes a new, empty database and drops it when its test (or, from a beforeAll, its
 * file) is done. `privatePostgres()` starts a server of its own, for a test that stops Postgres.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { inject } from 'vitest';
import { createDatabase, dropDatabase, startThrowawayPostgres, type ThrowawayPostgres, withClient } from '../../scripts/postgres/throwaway.ts';
import { onCleanup } from './cleanup.ts';
import { startScript, type StartedScript } from './process.ts';
import { Pool as HttpPool } from 'undici';
import { loadConfig, type Config } from '../../steps/lib/core/config.ts';
import { startListener, type RunningListener } from '../../steps/lib/listener/listener.ts';
import { openStore } from '../../steps/lib/store/open.ts';
import type { DeliveryStore } from '../../steps/lib/store/store.ts';
import { TEST_LISTENER } from './listener.ts';

/** A new database on the shared server; returns its URL. */
export async function testDatabase(label: string): Promise<string> {
  const serverUrl = inject('postgresUrl');
  const name = `test_${label.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`;
  const url = await createDatabase(serverUrl, name);
  onCleanup(() => dropDatabase(serverUrl, name));
  return url;
}

/** A server of this test's own (it may be crashed and restarted); stopped and removed afterwards. */
export async function privatePostgres(label: string): Promise<ThrowawayPostgres> {
  const server = await startThrowawayPostgres({ label, durable: false });
  onCleanup(() => server.stop());
  return server;
}

export { withClient };

/** Rows of `sql` on `url`. */
export async function rows<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  return withClient(url, async (client) => (await client.query<T>(sql, values)).rows);
}

/** The workbench's config for `url` (DATABASE_URL) plus `env`. */
export function pgConfig(url: string, env: Record<string, string> = {}): Config {
  return loadConfig({ env: { DATABASE_URL: url, ...env } });
}

export interface PgListener {
  readonly listener: RunningListener;
  readonly store: DeliveryStore;
  readonly logs: string[];
}

/** A listener on the Postgres store at `url`, in this process, closed when the test ends. */
export async function startPgListener(url: string, env: Record<string, string> = {}): Promise<PgListener> {
  const logs: string[] = [];
  const store = await openStore(pgConfig(url, env), { role: 'listener', log: (line) => logs.push(line) });
  const listener = await startListener({
    ...TEST_LISTENER,
    store,
    log: (line) => logs.push(line),
  });
  onCleanup(async () => {
    await listener.close();
    await store.close();
  });
  return { listener, store, logs };
}

export interface Sent {
  readonly n: number;
  readonly target: string;
  /** 0 when the connection failed (no answer). */
  readonly status: number;
  readonly body: { id?: string; duplicate?: boolean; code?: string };
}

/** Sends every request in `requests`, `concurrency` at a time, request n to `targets[n % targets.length]`. */
export async function burst(
  targets: readonly string[],
  requests: readonly { body: Buffer; headers: Record<string, string> }[],
  options: { concurrency: number; onAnswer?: (sent: Sent) => void },
): Promise<Sent[]> {
  const pools = targets.map((target) => new HttpPool(new URL(target).origin, { connections: options.concurrency, pipelining: 1 }));
  const sent: Sent[] = [];
  let next = 0;
  const sender = async () => {
    while (next < requests.length) {
      const n = next++;
      const which = n % targets.length;
      const request = requests[n] as { body: Buffer; headers: Record<string, string> };
      let answer: Sent = { n, target: targets[which] as string, status: 0, body: {} };
      try {
        const response = await (pools[which] as HttpPool).request({ path: '/webhooks', method: 'POST', headers: request.headers, body: request.body });
        const text = await response.body.text();
        answer = { ...answer, status: response.statusCode, body: JSON.parse(text) as Sent['body'] };
      } catch {
        // the connection died (a killed listener): not acknowledged
      }
      sent.push(answer);
      options.onAnswer?.(answer);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, sender));
  await Promise.all(pools.map((pool) => pool.destroy()));
  return sent;
}

/** The table the worker fixture's handler writes its effect to: one row per delivery, `runs` counting the runs. */
export async function effectTable(url: string): Promise<void> {
  await withClient(url, (client) =>
    client.query('CREATE TABLE IF NOT EXISTS effect (delivery_id text PRIMARY KEY, payload jsonb NOT NULL, runs integer NOT NULL)'),
  );
}

/** `npm run worker` with a counting handler (test/fixtures/pg-worker-child.ts), WORKER_CONCURRENCY=20 unless `env` says otherwise. */
export function startWorkerProcess(url: string, env: Record<string, string> = {}, args: string[] = []): StartedScript {
  return startScript('test/fixtures/pg-worker-child.ts', { args, env: { DATABASE_URL: url, WORKER_CONCURRENCY: '20', ...env } });
}

/**
 * `count` deliveries of `mib` MiB each (`large-1` oldest ... `large-<count>`), as a listener with a
 * large LISTEN_BODY_LIMIT stores them, in `handler` state; written in SQL (one body, then copies of
 * it), which is much faster than sending them.
 */
export async function largeDeliveries(url: string, count: number, mib: number, handler = 'not-run'): Promise<void> {
  const columns = 'id, received_at, received_by, method, url, headers, body, body_bytes, status, verdict, code, reason, scheme, ack_ms, handler';
  await withClient(url, async (client) => {
    await client.query(
      `INSERT INTO workbench.delivery (${columns}) SELECT 'large-1', now(), 'test', 'POST', '/webhooks', '[]', b, length(b), 200, 'valid', 'ok', 'large', 'bracken', 1, $2
       FROM (SELECT convert_to(repeat('0123456789abcdef', $1::int * 65536), 'UTF8') AS b) AS body`,
      [mib, handler],
    );
    await client.query(
      `INSERT INTO workbench.delivery (${columns}) SELECT 'large-' || n, now(), received_by, method, url, headers, body, body_bytes, status, verdict, code, reason, scheme, ack_ms, handler
       FROM workbench.delivery, generate_series(2, $1::int) AS n WHERE id = 'large-1' ORDER BY n`,
      [count],
    );
  });
}
