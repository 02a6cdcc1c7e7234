/**
 * Step 3's in-process worker shows a delivery `running` while its handler runs: in the listener's
 * feed, and in the store's list that step 3's inspector reads (the detail, the `running` filter),
 * as `npm run worker` does with Postgres. It is a live state only: the journal gets no frame for
 * it (no extra fdatasync per run), just the outcome when the run ends.
 */
import { describe, expect, it } from 'vitest';
import { startInspector } from '../../steps/lib/inspector/inspector.ts';
import { openJournal } from '../../steps/lib/journal/journal.ts';
import { startListener } from '../../steps/lib/listener/listener.ts';
import { fileStore } from '../../steps/lib/store/file/file-store.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { journalLines, send, signed, TEST_LISTENER, userCreate } from '../helpers/listener.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from '../helpers/until.ts';
import { sendJson } from '../inspector/http.ts';

describe('step 3: a delivery whose handler is running', () => {
  it('is `running` in the feed and the inspector while the handler runs, then `done`; the journal holds no running state', async () => {
    const dir = await tempDir('worker-running');
    const store = fileStore(await openJournal({ dir, maxBytes: 1 << 20, keepFiles: 2 }));
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    onCleanup(() => release());
    let started = false;
    const listener = await startListener({
      ...TEST_LISTENER,
      store,
      handler: async () => {
        started = true;
        await gate;
      },
      retry: { retryLimit: 0, retryDelayMs: 0, timeoutMs: 60_000 },
    });
    const inspector = await startInspector({ port: 0, store, replayUrl: listener.url });
    onCleanup(async () => {
      await inspector.close();
      await listener.close();
      await store.close();
    });
    const delivery = signed(userCreate(1));
    const answer = await send(listener.url, { method: 'POST', body: delivery.body, headers: delivery.headers });
    const id = (answer.json as { id: string }).id;
    await until(() => started, 5000);

    expect(listener.feed.list().find((view) => view.id === id)?.handler).toBe('running');
    expect((await sendJson(`${inspector.url}/api/deliveries/${id}`)).body).toMatchObject({ id, handler: 'running' });
    const running = (await sendJson(`${inspector.url}/api/deliveries?handler=running`)).body as { total: number; deliveries: { id: string }[] };
    expect(running.total).toBe(1);
    expect(running.deliveries.map((d) => d.id)).toEqual([id]);
    // On disk: the delivery, still pending, and nothing else.
    expect((await journalLines(dir)).map((line) => line.type)).toEqual(['delivery']);

    release();
    await listener.idle();
    await until(() => listener.feed.list().find((view) => view.id === id)?.handler === 'done', 5000);
    expect((await sendJson(`${inspector.url}/api/deliveries/${id}`)).body).toMatchObject({ id, handler: 'done' });
    expect((await journalLines(dir)).map((line) => [line.type, line.handler])).toEqual([
      ['delivery', 'pending'],
      ['handler', 'done'],
    ]);
  });
});
