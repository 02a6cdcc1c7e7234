/**
 * The in-memory feed the inspector lists: the newest deliveries, bounded by count and by how much
 * body they hold, oldest out first.
 */
import { describe, expect, it } from 'vitest';
import { createDeliveryFeed } from '../../steps/lib/delivery/feed.ts';
import type { DeliveryView } from '../../steps/lib/delivery/record.ts';
import { validDeliveryView } from '../helpers/delivery-record.ts';

/** A view whose body is `bytes` bytes. */
function sized(id: string, bytes: number, overrides: Partial<DeliveryView> = {}): DeliveryView {
  return validDeliveryView(id, { body: Buffer.alloc(bytes, 'A'), bodyBytes: bytes, ...overrides });
}

describe('createDeliveryFeed()', () => {
  it('keeps the newest `limit` deliveries, newest first', () => {
    const feed = createDeliveryFeed({ limit: 3 });
    for (const id of ['a', 'b', 'c', 'd', 'e']) feed.upsert(sized(id, 10));
    expect(feed.list().map((v) => v.id)).toEqual(['e', 'd', 'c']);
  });

  it('drops the oldest once their bodies pass maxBodyBytes, counting an update by its new body', () => {
    const feed = createDeliveryFeed({ limit: 100, maxBodyBytes: 1000 });
    for (const id of ['a', 'b', 'c', 'd']) feed.upsert(sized(id, 300));
    expect(feed.list().map((v) => v.id)).toEqual(['d', 'c', 'b']); // 900 bytes; 'a' would make 1200
    feed.upsert(sized('b', 300, { handler: 'done' })); // same body: keeps its place, nothing dropped
    expect(feed.list().map((v) => [v.id, v.handler])).toEqual([
      ['d', 'pending'],
      ['c', 'pending'],
      ['b', 'done'],
    ]);
    feed.upsert(sized('e', 500));
    expect(feed.list().map((v) => v.id)).toEqual(['e', 'd']);
  });

  it('always keeps the newest delivery, even when its body alone is over the bound', () => {
    const feed = createDeliveryFeed({ maxBodyBytes: 100, initial: [sized('a', 50)] });
    feed.upsert(sized('big', 5000));
    expect(feed.list().map((v) => v.id)).toEqual(['big']);
    expect(feed.get('big')?.body).toHaveLength(5000);
  });

  it('applies both bounds to the initial deliveries', () => {
    const feed = createDeliveryFeed({ limit: 10, maxBodyBytes: 250, initial: ['a', 'b', 'c', 'd'].map((id) => sized(id, 100)) });
    expect(feed.list().map((v) => v.id)).toEqual(['d', 'c']);
  });
});
