/**
 * A source over the in-memory feed lists as a store does: filtered, newest first, at most `limit`,
 * and without the bodies larger than `bodiesUpToBytes` (what the inspector's list asks for).
 */
import { describe, expect, it } from 'vitest';
import { createDeliveryFeed } from '../../steps/lib/delivery/feed.ts';
import { feedSource } from '../../steps/lib/delivery/source.ts';
import { validDeliveryView } from '../helpers/delivery-record.ts';

describe('feedSource(feed).list()', () => {
  const feed = createDeliveryFeed();
  for (const [id, bytes] of [
    ['small', 10],
    ['at-limit', 100],
    ['over', 101],
  ] as const) {
    feed.upsert(validDeliveryView(id, { body: Buffer.alloc(bytes, 'A'), bodyBytes: bytes }));
  }
  const source = feedSource(feed);

  it('with bodiesUpToBytes, lists larger bodies as empty (bodyBytes unchanged); get() still gives the whole body', async () => {
    const { total, deliveries } = await source.list({ limit: 10, bodiesUpToBytes: 100 });
    expect(total).toBe(3);
    expect(deliveries.map((view) => [view.id, view.body.length, view.bodyBytes])).toEqual([
      ['over', 0, 101],
      ['at-limit', 100, 100],
      ['small', 10, 10],
    ]);
    expect((await source.get('over'))?.body.length).toBe(101);
  });

  it('without it, lists every body', async () => {
    const { deliveries } = await source.list({ limit: 2 });
    expect(deliveries.map((view) => [view.id, view.body.length])).toEqual([
      ['over', 101],
      ['at-limit', 100],
    ]);
  });
});
