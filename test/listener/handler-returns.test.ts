/**
 * What a handler returns is kept only when it is a report of the documented shape (a forward try):
 * a handler that returns a value referring to itself, a `forward` that is not a try, or an object
 * whose getter throws still has its run journaled done, and a restart owes nothing.
 */
import { describe, expect, it } from 'vitest';
import type { ForwardAttempt } from '../../steps/lib/delivery/index.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { journalLines, send, signed, startTestListener, userCreate } from '../helpers/listener.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const ATTEMPT: ForwardAttempt = {
  url: 'http://127.0.0.1:8000/webhooks',
  at: '2026-01-01T00:00:00.000Z',
  latencyMs: 3,
  response: { status: 200, headers: [['content-type', 'text/plain']], body: 'ok', bodyTruncated: false },
};

function circular(): Record<string, unknown> {
  const forward: Record<string, unknown> = { url: 'x', at: 'y', latencyMs: 1 };
  forward.self = forward;
  forward.response = forward;
  return { forward };
}

const RETURNED: readonly (() => unknown)[] = [
  circular,
  () => ({ forward: 'yes' }),
  () =>
    new Proxy(
      {},
      {
        get(_, key) {
          if (key === 'forward') throw new Error('no forward here');
          return undefined;
        },
      },
    ),
  () => ({ forward: ATTEMPT }),
];

describe('a handler that returns something odd', () => {
  it('each run is journaled done; only a well-formed forward try is kept; a restart owes nothing', async () => {
    const dir = await tempDir('handler-returns');
    const first = await startTestListener({ dir, handler: (d) => (RETURNED[(d.payload as { userkey: number }).userkey - 1000] as () => never)() });
    const ids: string[] = [];
    for (let n = 0; n < RETURNED.length; n += 1) ids.push(((await send(first.listener.url, signed(userCreate(n)))).json as { id: string }).id);
    await first.listener.idle();
    expect(first.logs.filter((line) => line.startsWith('journal:'))).toEqual([]);
    const outcomes = (await journalLines(dir)).filter((line) => line.type === 'handler');
    expect(outcomes.map((line) => [line.id, line.handler, line.forward])).toEqual(ids.map((id, n) => [id, 'done', n === 3 ? ATTEMPT : undefined]));
    expect(first.listener.feed.list().map((view) => [view.id, view.handler, view.forward])).toEqual(
      ids.map((id, n) => [id, 'done', n === 3 ? { attempts: 1, recent: [ATTEMPT] } : undefined]).reverse(),
    );
    await first.close();

    const again: string[] = [];
    const second = await startTestListener({ dir, handler: (d) => void again.push(d.id) });
    onCleanup(() => second.close());
    await second.listener.idle();
    expect(second.logs).toContain(`Recovered ${ids.length} deliveries from the journal; 0 handler run(s) owed.`);
    expect(again).toEqual([]);
  });
});
