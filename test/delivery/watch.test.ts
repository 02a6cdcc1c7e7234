/**
 * watchFeed: what the walkthrough and the inspector's replay wait on. A real in-memory feed,
 * deliveries published with `upsert` as the listener does.
 */
import { describe, expect, it } from 'vitest';
import { createDeliveryFeed } from '../../steps/lib/delivery/feed.ts';
import type { DeliveryView } from '../../steps/lib/delivery/record.ts';
import { watchFeed } from '../../steps/lib/delivery/watch.ts';
import { validDeliveryView as view } from '../helpers/delivery-record.ts';

const isUserCreate = (candidate: DeliveryView) => candidate.event === 'User_Create';

describe('watchFeed', () => {
  it('resolves with the first match published after it started, as the feed holds it now', async () => {
    const feed = createDeliveryFeed();
    const watch = watchFeed(feed, isUserCreate);
    feed.upsert(view('a', { event: 'User_Delete' }));
    feed.upsert(view('b'));
    feed.upsert(view('c'));
    feed.upsert(view('b', { handler: 'done' })); // the handler ran after the answer
    expect(await watch.within(1000)).toEqual(view('b', { handler: 'done' }));
    watch.stop();
  });

  it('wakes up as soon as the match arrives, well before the wait is over', async () => {
    const feed = createDeliveryFeed();
    const watch = watchFeed(feed, isUserCreate);
    setTimeout(() => feed.upsert(view('late')), 20);
    const started = performance.now();
    expect((await watch.within(5000))?.id).toBe('late');
    expect(performance.now() - started).toBeLessThan(2000);
    watch.stop();
  });

  it('does not count what the feed held before it started, and gives undefined after the wait', async () => {
    const feed = createDeliveryFeed({ initial: [view('old')] });
    const watch = watchFeed(feed, isUserCreate);
    expect(await watch.within(30)).toBeUndefined();
    watch.stop();
  });

  it('sees nothing once stopped', async () => {
    const feed = createDeliveryFeed();
    const watch = watchFeed(feed, isUserCreate);
    watch.stop();
    feed.upsert(view('after-stop'));
    expect(await watch.within(30)).toBeUndefined();
  });
});
