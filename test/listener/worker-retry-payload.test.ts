/**
 * A retry in step 3's worker gets the delivery as its bytes say, like a re-run after a restart:
 * not the payload object the failed run was handed, which that run may have changed.
 */
import { describe, expect, it } from 'vitest';
import { onCleanup } from '../helpers/cleanup.ts';
import { send, signed, startTestListener, userCreate } from '../helpers/listener.ts';

describe('worker: a retried run', () => {
  it('gets the payload parsed from the bytes again, not the object a failed run changed', async () => {
    const seen: { username: unknown; recovered: boolean }[] = [];
    const t = await startTestListener({
      handler: (d) => {
        const payload = d.payload as { username: unknown };
        seen.push({ username: payload.username, recovered: d.recovered });
        if (seen.length === 1) {
          // A careless handler tidies the payload in place, then fails.
          payload.username = 'changed by the first run';
          throw new Error('the app is down');
        }
      },
      retry: { retryLimit: 2, retryDelayMs: 0, timeoutMs: 5000 },
    });
    onCleanup(() => t.close());
    const answer = await send(t.listener.url, signed(userCreate(7)));
    expect(answer.status).toBe(200);
    await t.listener.idle();
    expect(seen).toEqual([
      { username: 'Test-User-7', recovered: false },
      { username: 'Test-User-7', recovered: true },
    ]);
    expect(t.listener.feed.list()[0]).toMatchObject({ handler: 'done' });
  });
});
