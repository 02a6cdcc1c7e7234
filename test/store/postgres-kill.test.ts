/**
 * Issue 10, processes killed with SIGKILL, against a real PostgreSQL (a database per test):
 * - a listener killed mid-burst: every delivery that got a 2xx is in the table;
 * - a worker killed inside a handler: the job comes back after HANDLER_TIMEOUT_MS (plus pg-boss's
 *   expiry margin and the retry delay) and completes in the other worker.
 */
import { describe, expect, it } from 'vitest';
import { signed, userCreate } from '../helpers/listener.ts';
import { burst, effectTable, rows, startPgListener, startWorkerProcess, testDatabase } from '../helpers/postgres.ts';
import { startScript } from '../helpers/process.ts';
import { until } from '../helpers/until.ts';

const LISTENER = 'test/fixtures/pg-listener-child.ts';

describe('Postgres store: killed processes', () => {
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
    const env = { HANDLER_TIMEOUT_MS: '1000', HANDLER_RETRY_DELAY_MS: '1000' };
    await effectTable(url);
    // Both workers at once; whichever takes the delivery first hangs in its first try and is killed.
    const workers = [startWorkerProcess(url, env, ['--hang-first-try']), startWorkerProcess(url, env, ['--hang-first-try'])];
    const [{ listener }] = await Promise.all([startPgListener(url, env), ...workers.map((worker) => worker.waitForMessage('ready'))]);
    const answer = await burst([listener.url], [signed(userCreate(1))], { concurrency: 1 });
    const id = answer[0]?.body.id ?? '';
    await until(() => workers.some((worker) => worker.lines().some((line) => line.includes(`"started","id":"${id}"`))), 10_000);
    const killed = workers.findIndex((worker) => worker.lines().some((line) => line.includes(`"started","id":"${id}"`)));
    const [first, second] = killed === 0 ? workers : [workers[1], workers[0]];
    if (first === undefined || second === undefined) throw new Error('two workers expected');
    first.child.kill('SIGKILL');
    await first.exited();
    const killedAt = Date.now();

    await until(() => second.lines().some((line) => line.includes(`"handled","id":"${id}"`)), 15_000);
    // Back within the timeout (1 s) + expiry margin (2 s) + maintenance (1 s) + the retry delay (1-2 s), not pg-boss's 15 minutes.
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    // The handler says "handled" before it returns; the worker records the outcome after that.
    const outcome = async () =>
      (await rows<{ handler: string; attempts: number }>(url, 'SELECT handler, attempts FROM workbench.delivery WHERE id = $1', [id]))[0];
    for (let tries = 0; (await outcome())?.handler === 'running' && tries < 100; tries += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await outcome()).toEqual({ handler: 'done', attempts: 2 });
    expect(await rows(url, 'SELECT delivery_id, runs FROM effect')).toEqual([{ delivery_id: id, runs: 1 }]);
    expect(await second.stop()).toBe(0);
  });
});
