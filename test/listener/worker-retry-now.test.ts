/**
 * Retry now (the inspector) on a delivery whose automatic retry is still waiting: the delivery runs
 * now, and the waiting retry is dropped. It must not run once more, later, after it is done. On one
 * whose automatic retry is running (the inspector still shows its last run failed): that run is it.
 */
import { describe, expect, it } from 'vitest';
import { openJournal } from '../../steps/lib/journal/journal.ts';
import { startListener } from '../../steps/lib/listener/listener.ts';
import { fileStore } from '../../steps/lib/store/file/file-store.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { journalLines, send, signed, TEST_LISTENER, userCreate } from '../helpers/listener.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from '../helpers/until.ts';
import type { DeliveryHandler, RetryPolicy } from '../../steps/lib/delivery/index.ts';

/** A listener over a file store the test holds (for retryNow), with `handler` and `retry`; and the delivery it acknowledged. */
async function listenerWithStore(handler: DeliveryHandler, retry: RetryPolicy) {
  const dir = await tempDir('worker-retry-now');
  const store = fileStore(await openJournal({ dir, maxBytes: 1024 * 1024, keepFiles: 2 }));
  onCleanup(() => store.close());
  const listener = await startListener({ ...TEST_LISTENER, store, handler, retry });
  onCleanup(() => listener.close());
  const answer = await send(listener.url, signed(userCreate(3)));
  return { dir, store, listener, id: (answer.json as { id: string }).id };
}

describe('worker: Retry now while a retry waits', () => {
  it('runs the delivery once more, now, and not again when the dropped retry would have come', async () => {
    const runs: string[] = [];
    const { dir, store, listener, id } = await listenerWithStore(
      (d) => {
        runs.push(d.id);
        if (runs.length === 1) throw new Error('the app is down');
      },
      // The automatic retry comes 200-400 ms after the failure: well after Retry now.
      { retryLimit: 3, retryDelayMs: 200, timeoutMs: 5000 },
    );
    // Shown failed once the outcome is journaled, which is when the store has it too.
    await until(() => listener.feed.list()[0]?.handler === 'failed', 5000);
    const retried = await store.retryNow?.(id);
    expect(retried).toMatchObject({ ok: true });
    // idle() waits for a retry still waiting, so this is after the dropped one's time, had it stayed.
    await listener.idle();
    expect(runs).toEqual([id, id]);
    const outcomes = (await journalLines(dir)).filter((line) => line.type === 'handler').map((line) => line.handler);
    expect(outcomes).toEqual(['failed', 'done']);
    expect(listener.feed.list()[0]).toMatchObject({ id, handler: 'done' });
  });

  it('on a delivery whose automatic retry is running, does not queue a second run behind it', async () => {
    const runs: string[] = [];
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    onCleanup(() => release());
    const { dir, store, listener, id } = await listenerWithStore(
      async (d) => {
        runs.push(d.id);
        if (runs.length === 1) throw new Error('the app is down');
        await gate; // the automatic retry, held while Retry now is clicked
      },
      { retryLimit: 3, retryDelayMs: 0, timeoutMs: 5000 },
    );
    await until(() => runs.length === 2, 5000);
    // Once the first run's failure is recorded, the store shows it failed while the retry runs.
    while ((await store.get(id))?.handler !== 'failed') await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await store.retryNow?.(id)).toMatchObject({ ok: true });
    release();
    await listener.idle();
    expect(runs).toEqual([id, id]);
    const outcomes = (await journalLines(dir)).filter((line) => line.type === 'handler').map((line) => line.handler);
    expect(outcomes).toEqual(['failed', 'done']);
  });
});
