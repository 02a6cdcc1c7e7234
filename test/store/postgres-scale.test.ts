/**
 * Issue 10, against a real PostgreSQL (the run's throwaway server, a database per test): two
 * listeners and two worker processes on one database; 500 distinct deliveries plus 200 retries of
 * them, sent to both listeners at once: every acknowledged delivery has exactly one accepted row,
 * every retry is a duplicate row of it, and every handler's effect happened once. Listeners and
 * workers start at the same moment, as a deployment's do: migrations and pg-boss's schema must
 * cope with that.
 */
import { describe, expect, it } from 'vitest';
import { signed, userCreate } from '../helpers/listener.ts';
import { burst, effectTable, rows, startPgListener, startWorkerProcess, testDatabase } from '../helpers/postgres.ts';

describe('Postgres store: listeners and workers', () => {
  it('two listeners, two workers: 500 distinct + 200 retries to both at once; one accepted row and one effect per delivery', async () => {
    const url = await testDatabase('scale');
    await effectTable(url);
    const workers = [startWorkerProcess(url), startWorkerProcess(url)];
    const [a, b] = await Promise.all([startPgListener(url), startPgListener(url), ...workers.map((worker) => worker.waitForMessage('ready'))]);
    if (a === undefined || b === undefined) throw new Error('the listeners did not start');

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
});
