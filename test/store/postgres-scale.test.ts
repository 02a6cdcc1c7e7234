/**
 * Issue 10, against a real PostgreSQL (the run's throwaway server, a database per file):
 * - two listeners and two worker processes on one database; 500 distinct deliveries plus 200
 *   retries of them, sent to both listeners at once: every acknowledged delivery has exactly one
 *   accepted row, every retry is a duplicate row of it, and every handler's effect happened once;
 * - a listener killed with SIGKILL mid-burst: every delivery that got a 2xx is in the table;
 * - a worker killed with SIGKILL inside a handler: the job comes back and completes.
 */
import { describe, expect, it } from 'vitest';
import { admin, burst, rows, startPgListener, testDatabase } from '../helpers/postgres.ts';
import { signed, userCreate } from '../helpers/listener.ts';
import { startScript, type StartedScript } from '../helpers/process.ts';
import { until } from '../helpers/until.ts';

const WORKER = 'test/fixtures/pg-worker-child.ts';
const LISTENER = 'test/fixtures/pg-listener-child.ts';

async function effectTable(url: string): Promise<void> {
  await admin(url, (client) => client.query('CREATE TABLE IF NOT EXISTS effect (delivery_id text PRIMARY KEY, payload jsonb NOT NULL, runs integer NOT NULL)'));
}

function startWorkerProcess(url: string, env: Record<string, string> = {}, args: string[] = []): StartedScript {
  return startScript(WORKER, { args, env: { DATABASE_URL: url, WORKER_CONCURRENCY: '20', ...env } });
}

describe('Postgres store: listeners and workers', () => {
  it('two listeners, two workers: 500 distinct + 200 retries to both at once; one accepted row and one effect per delivery', async () => {
    const url = await testDatabase('scale');
    const [a, b] = [await startPgListener(url), await startPgListener(url)];
    await effectTable(url);
    const workers = [startWorkerProcess(url), startWorkerProcess(url)];
    await Promise.all(workers.map((worker) => worker.waitForMessage('ready')));

    const distinct = Array.from({ length: 500 }, (_, n) => signed(userCreate(n)));
    // Each retry goes to the other listener than its first copy (n % 2 picks the listener).
    const retries = Array.from({ length: 200 }, (_, i) => distinct[i * 2 + 1] as (typeof distinct)[number]);
    const requests = [...distinct, ...retries];
    const sent = await burst([a.listener.url, b.listener.url], requests, { concurrency: 40 });

    expect(sent.filter((s) => s.status !== 200)).toEqual([]);
    const stored = await rows<{ id: string; handler: string; duplicate_of: string | null; dedupe_key: string }>(
      url,
      'SELECT id, handler, duplicate_of, dedupe_key FROM workbench.delivery',
    );
    expect(stored).toHaveLength(700);
    const byId = new Map(stored.map((row) => [row.id, row]));
    for (const s of sent) expect(byId.has(s.body.id ?? ''), `row for ${s.body.id}`).toBe(true);
    // Exactly one accepted (non-duplicate) row per distinct delivery; every other copy is a duplicate of it.
    const firsts = stored.filter((row) => row.duplicate_of === null);
    expect(firsts).toHaveLength(500);
    expect(new Set(firsts.map((row) => row.dedupe_key)).size).toBe(500);
    expect(sent.filter((s) => s.body.duplicate === true)).toHaveLength(200);
    for (const row of stored.filter((r) => r.duplicate_of !== null)) expect(byId.get(row.duplicate_of ?? '')?.dedupe_key).toBe(row.dedupe_key);

    // Every first copy's handler ran, and its effect exists exactly once, with its own payload.
    const deadline = Date.now() + 20_000;
    let done = 0;
    while (Date.now() < deadline) {
      done = Number((await rows<{ n: string }>(url, "SELECT count(*) AS n FROM workbench.delivery WHERE handler = 'done'"))[0]?.n);
      if (done === 500) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(done).toBe(500);
    const effects = await rows<{ delivery_id: string; payload: { userkey: number } }>(url, 'SELECT delivery_id, payload FROM effect');
    expect(effects).toHaveLength(500);
    expect(new Set(effects.map((e) => e.delivery_id))).toEqual(new Set(firsts.map((row) => row.id)));
    // Both workers took part.
    for (const worker of workers) expect(worker.lines().some((line) => line.includes('"handled"'))).toBe(true);
    for (const worker of workers) expect(await worker.stop()).toBe(0);
  });

  it('a listener killed with SIGKILL mid-burst: every delivery that got a 2xx is in the table', async () => {
    const url = await testDatabase('kill_listener');
    const child = startScript(LISTENER, { env: { DATABASE_URL: url, LISTENER_SECRET: 'test-secret-current' } });
    const ready = await child.waitForMessage<{ url: string }>('ready');
    const requests = Array.from({ length: 300 }, (_, n) => signed(userCreate(n)));
    let acked = 0;
    const sent = await burst([ready.url], requests, {
      concurrency: 20,
      onAnswer: (s) => {
        if (s.status === 200) acked += 1;
        if (acked >= 80 && child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGKILL');
      },
    });
    expect(await child.exited()).toEqual({ code: null, signal: 'SIGKILL' });
    const acknowledged = sent.filter((s) => s.status === 200).map((s) => s.body.id ?? '');
    expect(acknowledged.length).toBeGreaterThanOrEqual(80);
    expect(acknowledged.length).toBeLessThan(300); // the kill really happened mid-burst
    const stored = new Set((await rows<{ id: string }>(url, 'SELECT id FROM workbench.delivery')).map((row) => row.id));
    for (const id of acknowledged) expect(stored.has(id), `acknowledged ${id} is stored`).toBe(true);
  });

  it('a worker killed with SIGKILL inside a handler: its job comes back after HANDLER_TIMEOUT_MS and completes in another worker', async () => {
    const url = await testDatabase('kill_worker');
    const { listener } = await startPgListener(url, { HANDLER_TIMEOUT_MS: '1000' });
    await effectTable(url);
    const env = { HANDLER_TIMEOUT_MS: '1000', HANDLER_RETRY_DELAY_MS: '1000' };
    const first = startWorkerProcess(url, env, ['--hang-first']);
    await first.waitForMessage('ready');
    const answer = await burst([listener.url], [signed(userCreate(1))], { concurrency: 1 });
    const id = answer[0]?.body.id ?? '';
    const started = await first.waitForMessage<{ id: string }>('started');
    expect(started.id).toBe(id);
    first.child.kill('SIGKILL');
    await first.exited();
    const killedAt = Date.now();

    const second = startWorkerProcess(url, env);
    await second.waitForMessage('ready');
    await until(() => second.lines().some((line) => line.includes(`"handled","id":"${id}"`)), 15_000);
    // Back within the timeout (1 s) + expiry margin (2 s) + maintenance (1 s) + the retry delay (1-2 s), not pg-boss's 15 minutes.
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    const [row] = await rows<{ handler: string; attempts: number }>(url, 'SELECT handler, attempts FROM workbench.delivery WHERE id = $1', [id]);
    expect(row).toEqual({ handler: 'done', attempts: 2 });
    expect(await rows(url, 'SELECT delivery_id, runs FROM effect')).toEqual([{ delivery_id: id, runs: 1 }]);
    expect(await second.stop()).toBe(0);
  });
});
