/**
 * A listener with no handler configured (step 3 without LISTEN_RUN_HANDLERS or a handler file):
 * verified deliveries are acknowledged and journaled `not-run`, nothing is owed to a handler, and
 * the same bytes sent twice are two deliveries, not a duplicate (there is no run to spare).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { journalLines, send, signed, startTestListener, userCreate, type TestListener } from '../helpers/listener.ts';

let t: TestListener;

beforeEach(async () => {
  t = await startTestListener();
});
afterEach(async () => {
  await t.close();
});

describe('a listener without a handler', () => {
  it('journals a verified delivery not-run, and a resend of the same bytes not-run too, neither a duplicate', async () => {
    const delivery = signed(userCreate(1));
    const first = await send(t.listener.url, delivery);
    const again = await send(t.listener.url, delivery);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(first.json).toEqual({ received: true, id: expect.any(String) });
    expect(again.json).toEqual({ received: true, id: expect.any(String) });
    const entries = await journalLines(t.dir);
    expect(entries.map((entry) => [entry.type, entry.handler])).toEqual([
      ['delivery', 'not-run'],
      ['delivery', 'not-run'],
    ]);
    expect(t.listener.feed.list().map((view) => view.handler)).toEqual(['not-run', 'not-run']);
  });
});
