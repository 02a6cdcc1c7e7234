/**
 * The worker behind the listener: the handler runs after the answer, a slow handler does not hold
 * the answer back, a failed handler runs again on the next start, and a duplicate runs it once.
 */
import { describe, expect, it } from 'vitest';
import { createWorker, type WebhookDelivery } from '../../steps/lib/listener/worker.ts';
import type { DeliveryView } from '../../steps/lib/delivery/record.ts';
import { validDeliveryRecord } from '../helpers/delivery-record.ts';
import { standardWebhooks } from '../../steps/lib/signature/standard-webhooks.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { journalLines, send, signed, startTestListener, userCreate, type TestListener } from '../helpers/listener.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from '../helpers/until.ts';

async function listenerIn(dir: string, handler: (d: WebhookDelivery) => Promise<void> | void): Promise<TestListener> {
  const t = await startTestListener({ dir, handler });
  onCleanup(() => t.close());
  return t;
}

describe('worker', () => {
  it('a handler that has not finished does not delay the 200; the feed shows it pending, running, then done', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const started: string[] = [];
    const t = await listenerIn(await tempDir('worker'), async (d) => {
      started.push(d.id);
      await gate; // held until after the answer has been checked
    });
    const changes: string[] = [];
    const unsubscribe = t.listener.feed.subscribe((view) => changes.push(`${view.id}:${view.handler}`));
    const answer = await send(t.listener.url, signed(userCreate(1)));
    const id = (answer.json as { id: string }).id;
    expect(answer.status).toBe(200);
    // Answered while the handler is held: it shows running (it was pending until the run began).
    await until(() => started.length === 1, 5000);
    expect(t.listener.feed.list()[0]).toMatchObject({ id, handler: 'running' });
    release();
    await t.listener.idle();
    unsubscribe();
    expect(changes).toEqual([`${id}:pending`, `${id}:running`, `${id}:done`]); // the feed follows the handler live
    expect(started).toEqual([id]);
    expect(t.listener.feed.list()[0]).toMatchObject({ id, handler: 'done', handlerError: undefined });
    expect((await journalLines(t.dir)).at(-1)).toMatchObject({ type: 'handler', id, handler: 'done' });
  });

  it('the handler gets the parsed payload, the exact bytes and the event name', async () => {
    const seen: WebhookDelivery[] = [];
    const t = await listenerIn(await tempDir('worker'), (d) => void seen.push(d));
    const { body, headers } = signed(userCreate(5));
    await send(t.listener.url, { body, headers });
    await t.listener.idle();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ event: 'User_Create', payload: userCreate(5), recovered: false });
    expect(seen[0]?.body.equals(body)).toBe(true);
  });

  it('a failed handler is recorded failed with its error, and runs again (recovered) when the listener restarts', async () => {
    const dir = await tempDir('worker');
    const first = await startTestListener({
      dir,
      handler: () => {
        throw new Error('database is down');
      },
    });
    const answer = await send(first.listener.url, signed(userCreate(2)));
    const id = (answer.json as { id: string }).id;
    expect(answer.status).toBe(200); // acknowledged: the failure is ours to retry, not the sender's
    await first.listener.idle();
    expect(first.listener.feed.list()[0]).toMatchObject({ id, handler: 'failed', handlerError: 'database is down' });
    expect((await journalLines(dir)).at(-1)).toMatchObject({ type: 'handler', id, handler: 'failed', error: 'database is down' });
    expect(first.logs).toContain(`handler failed for ${id} (User_Create): database is down; it runs again when the listener restarts.`);
    await first.close();

    const runs: { id: string; recovered: boolean }[] = [];
    const second = await listenerIn(dir, (d) => void runs.push({ id: d.id, recovered: d.recovered }));
    await second.listener.idle();
    expect(runs).toEqual([{ id, recovered: true }]);
    expect(second.listener.feed.list()[0]).toMatchObject({ id, handler: 'done' });
    // Done now: a third start owes nothing.
    await second.close();
    const third: string[] = [];
    const t3 = await listenerIn(dir, (d) => void third.push(d.id));
    await t3.listener.idle();
    expect(third).toEqual([]);
  });

  it('the same delivery sent twice: both acknowledged and journaled, the handler runs once', async () => {
    const runs: string[] = [];
    const t = await listenerIn(await tempDir('worker'), (d) => void runs.push(d.id));
    const delivery = signed(userCreate(3));
    const a = await send(t.listener.url, delivery);
    const b = await send(t.listener.url, delivery);
    const firstId = (a.json as { id: string }).id;
    const secondId = (b.json as { id: string }).id;
    expect([a.status, a.json]).toEqual([200, { received: true, id: firstId }]);
    expect([b.status, b.json]).toEqual([200, { received: true, id: secondId, duplicate: true }]);
    await t.listener.idle();
    expect(runs).toEqual([firstId]);
    const deliveries = (await journalLines(t.dir)).filter((line) => line.type === 'delivery');
    expect(deliveries.map((line) => line.handler)).toEqual(['pending', 'duplicate']);
    expect((deliveries[1]?.record as { reason: string } | undefined)?.reason).toContain(`a duplicate of ${firstId}`);
  });

  it('with the standard-webhooks scheme, which signs webhook-id, two different bodies with one webhook-id are the same delivery', async () => {
    const runs: string[] = [];
    const secret = `whsec_${Buffer.from('a-standard-webhooks-test-secret!').toString('base64')}`;
    const t = await startTestListener({
      dir: await tempDir('worker'),
      handler: (d) => void runs.push(d.id),
      scheme: standardWebhooks,
      secrets: () => [secret],
    });
    onCleanup(() => t.close());
    const sendSigned = (payload: unknown) => {
      const body = Buffer.from(JSON.stringify(payload));
      const headers = standardWebhooks.sign({ body, secret, id: 'msg_1' });
      return send(t.listener.url, { body, headers: { 'content-type': 'application/json', ...headers } });
    };
    expect((await sendSigned(userCreate(4))).status).toBe(200);
    const again = await sendSigned({ ...userCreate(4), timestamp: '2024-01-01T00:00:09Z' });
    await t.listener.idle();
    expect(runs).toHaveLength(1);
    expect(again.json).toMatchObject({ duplicate: true });
  });

  it('with bracken, an unsigned webhook-id header is ignored: changing it cannot replay a delivery as new', async () => {
    const runs: string[] = [];
    const t = await listenerIn(await tempDir('worker'), (d) => void runs.push(d.id));
    const one = signed(userCreate(4));
    const answers = [];
    for (const id of ['msg_1', 'msg_2', 'msg_3']) answers.push(await send(t.listener.url, { body: one.body, headers: { ...one.headers, 'webhook-id': id } }));
    await t.listener.idle();
    expect(runs).toHaveLength(1);
    expect(answers.map((a) => (a.json as { duplicate?: boolean }).duplicate ?? false)).toEqual([false, true, true]);
  });

  it('duplicates are still recognised after a restart (the journal seeds the dedupe keys)', async () => {
    const dir = await tempDir('worker');
    const delivery = signed(userCreate(6));
    const first = await startTestListener({ dir, handler: () => {} });
    await send(first.listener.url, delivery);
    await first.listener.idle();
    await first.close();
    const runs: string[] = [];
    const second = await listenerIn(dir, (d) => void runs.push(d.id));
    const again = await send(second.listener.url, delivery);
    await second.listener.idle();
    expect(again.json).toMatchObject({ duplicate: true });
    expect(runs).toEqual([]);
  });
});

describe('createWorker()', () => {
  it('runs the next handler without waiting for the previous outcome to reach the disk; idle() waits for both', async () => {
    const ran: string[] = [];
    const recorded: string[] = [];
    const releases: (() => void)[] = [];
    const worker = createWorker({
      handler: (delivery) => void ran.push(delivery.id),
      // A disk that holds every outcome until released.
      journal: {
        appendOutcomes: (runs) =>
          new Promise<void>((resolve) =>
            releases.push(() => {
              recorded.push(...runs.map((run) => run.id));
              resolve();
            }),
          ),
      },
      onChange: () => {},
    });
    for (const id of ['a', 'b', 'c']) worker.enqueue(view(id));
    let idle = false;
    void worker.idle().then(() => (idle = true));
    // All three run while the disk holds every outcome (a wait on the clock failed under load).
    await until(() => ran.length === 3);
    expect(ran).toEqual(['a', 'b', 'c']); // one at a time, in order, none held up by the disk
    expect(idle).toBe(false);
    for (const release of releases) release();
    await worker.idle();
    expect(recorded).toEqual(['a', 'b', 'c']);
  });
});

describe('createWorker(): outcomes in batches', () => {
  it('the outcomes of runs that finish in the same tick reach the journal in one append, in order, each told to onChange', async () => {
    const appends: string[][] = [];
    const changes: string[] = [];
    const worker = createWorker({
      handler: (delivery) => {
        if (delivery.id === 'b') throw new Error('boom');
      },
      journal: {
        appendOutcomes: async (runs) => void appends.push(runs.map((run) => `${run.id} ${run.handler}${run.error === undefined ? '' : ` ${run.error}`}`)),
      },
      onChange: (id, state) => void changes.push(`${id} ${state}`),
    });
    for (const id of ['a', 'b', 'c']) worker.enqueue(view(id));
    await worker.idle();
    expect(appends).toEqual([['a done', 'b failed boom', 'c done']]);
    // Each run is told as it starts (live only); the outcomes once their append is done.
    expect(changes).toEqual(['a running', 'b running', 'c running', 'a done', 'b failed', 'c done']);
  });

  it('a batch the journal refuses is logged per delivery (they run again on the next start) and still shown', async () => {
    const logs: string[] = [];
    const changes: string[] = [];
    const worker = createWorker({
      handler: () => {},
      journal: { appendOutcomes: () => Promise.reject(new Error('ENOSPC: no space left on device')) },
      onChange: (id, state) => void changes.push(`${id} ${state}`),
      log: (line) => logs.push(line),
    });
    for (const id of ['a', 'b']) worker.enqueue(view(id));
    await worker.idle();
    expect(logs).toEqual([
      'journal: could not record the handler outcome for a: ENOSPC: no space left on device',
      'journal: could not record the handler outcome for b: ENOSPC: no space left on device',
    ]);
    expect(changes).toEqual(['a running', 'b running', 'a done', 'b done']);
  });
});

function view(id: string): DeliveryView {
  const record = validDeliveryRecord({ id, receivedAt: new Date(0).toISOString(), body: Buffer.from(JSON.stringify(userCreate(1))) });
  return { ...record, handler: 'pending', handlerError: undefined };
}
