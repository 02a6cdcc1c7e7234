/**
 * Issue 10, failures: Postgres stopped during a burst (503 store_unavailable while it is down, no
 * 2xx for anything unstored, and the listener recovers by itself); a handler that always throws
 * (retried HANDLER_RETRY_LIMIT times with growing delays, then dead; Retry now in the inspector
 * runs it again). A wrong DATABASE_URL: postgres-wrong-url.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { startInspector } from '../../steps/lib/inspector/inspector.ts';
import { openDatabase } from '../../steps/lib/store/open.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { signed, userCreate } from '../helpers/listener.ts';
import { burst, pgConfig, privatePostgres, rows, startPgListener, testDatabase } from '../helpers/postgres.ts';
import { until } from '../helpers/until.ts';
import { sendJson } from '../inspector/http.ts';

describe('Postgres stopped during a burst', () => {
  it('answers 503 store_unavailable while it is down, never a 2xx for what is not stored, and recovers by itself', async () => {
    const server = await privatePostgres('outage');
    const url = await server.createDatabase('outage');
    const { listener, logs } = await startPgListener(url);
    const requests = Array.from({ length: 400 }, (_, n) => signed(userCreate(n)));
    let answered = 0;
    let stopped = false;
    let restarted: Promise<void> | undefined;
    const sent = await burst([listener.url], requests, {
      concurrency: 10,
      onAnswer: () => {
        answered += 1;
        if (answered === 100 && !stopped) {
          stopped = true;
          restarted = server.crash().then(async () => {
            await new Promise((resolve) => setTimeout(resolve, 500));
            await server.start();
          });
        }
      },
    });
    await restarted;
    const refused = sent.filter((s) => s.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    for (const s of refused) expect(s.body).toEqual({ error: 'The delivery could not be stored; try again.', code: 'store_unavailable' });
    // Each refused delivery's log line says why with the store's code; what to do is said under the first of an outage.
    const notStored = logs.filter((line) => line.includes(' (NOT stored: '));
    expect(notStored).toHaveLength(refused.length);
    for (const line of notStored) expect(line).toMatch(/ \[WORKBENCH_STORE_[A-Z_]+\]\)$/);
    // Said as what happened to a running listener, not as at start ("something that is not Postgres answered").
    for (const line of notStored) expect(line).not.toContain('without answering as Postgres does');
    const firstAt = logs.indexOf(notStored[0] as string);
    expect(logs[firstAt + 1]).toMatch(/^Next: \S/);
    expect(sent.every((s) => s.status === 200 || s.status === 503)).toBe(true);

    // Back without a restart of the listener: the pool reconnects.
    const again = await burst([listener.url], [signed(userCreate(1000))], { concurrency: 1 });
    expect(again[0]?.status).toBe(200);
    const stored = new Set((await rows<{ id: string }>(url, 'SELECT id FROM workbench.delivery')).map((row) => row.id));
    for (const s of [...sent, ...again].filter((x) => x.status === 200)) expect(stored.has(s.body.id ?? ''), `2xx ${s.body.id} is stored`).toBe(true);
    // The senders of the refused ones retry: those deliveries are then stored.
    const retried = await burst(
      [listener.url],
      refused.map((s) => requests[s.n] as (typeof requests)[number]),
      { concurrency: 10 },
    );
    expect(retried.every((s) => s.status === 200)).toBe(true);
  });
});

describe('a handler that always throws', () => {
  it('is retried HANDLER_RETRY_LIMIT times with growing delays, then dead; Retry now runs it again', async () => {
    const url = await testDatabase('always_throws');
    const env = { HANDLER_RETRY_LIMIT: '2', HANDLER_RETRY_DELAY_MS: '1000', HANDLER_TIMEOUT_MS: '5000' };
    const { listener } = await startPgListener(url, env);
    const config = pgConfig(url, env);
    const store = await openDatabase(config, { role: 'worker' });
    onCleanup(() => store.close());
    const runs: number[] = [];
    const worker = await store.work(
      () => {
        runs.push(Date.now());
        throw new Error('the database of record is down');
      },
      { concurrency: 5 },
    );
    onCleanup(() => worker.close());
    const [answer] = await burst([listener.url], [signed(userCreate(7))], { concurrency: 1 });
    const id = answer?.body.id ?? '';
    const state = async () =>
      (
        await rows<{ handler: string; attempts: number; handler_error: string }>(
          url,
          'SELECT handler, attempts, handler_error FROM workbench.delivery WHERE id = $1',
          [id],
        )
      )[0];
    const deadline = Date.now() + 20_000;
    while ((await state())?.handler !== 'dead' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await state()).toEqual({ handler: 'dead', attempts: 3, handler_error: 'the database of record is down' });
    expect(runs).toHaveLength(3);
    // pg-boss's backoff: the first retry after 1-2 s, the second after 2-4 s (plus up to a 0.5 s poll).
    const [gap1, gap2] = [(runs[1] ?? 0) - (runs[0] ?? 0), (runs[2] ?? 0) - (runs[1] ?? 0)];
    expect(gap1).toBeGreaterThanOrEqual(950);
    expect(gap2).toBeGreaterThanOrEqual(1950);
    expect(await rows(url, "SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'webhook-delivery-dead'")).toEqual([{ n: 1 }]);

    // Retry now, as the operator's inspector does it.
    const reader = await openDatabase(config, { role: 'reader' });
    onCleanup(() => reader.close());
    const inspector = await startInspector({ port: 0, store: reader, replayUrl: listener.url });
    onCleanup(() => inspector.close());
    const listed = await sendJson(`${inspector.url}/api/deliveries?handler=dead`);
    expect((listed.body as { deliveries: { id: string }[] }).deliveries.map((d) => d.id)).toEqual([id]);
    const retried = await sendJson(`${inspector.url}/api/deliveries/${id}/retry`, { method: 'POST', headers: { 'x-workbench-inspector': 'retry' } });
    expect(retried).toMatchObject({ status: 200, body: { delivery: { id, handler: 'pending' } } });
    await until(() => runs.length === 4, 10_000);
    const refused = await sendJson(`${inspector.url}/api/deliveries/${id}/retry`, { method: 'POST', headers: { 'x-workbench-inspector': 'replay' } });
    expect(refused).toMatchObject({ status: 403, body: { code: 'missing_inspector_header' } });
  });
});
