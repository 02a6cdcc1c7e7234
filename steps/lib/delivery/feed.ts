/**
 * The running listener's deliveries in memory, for the inspector: the most recent `limit` views,
 * updated live as requests are answered and handlers finish.
 *
 * @example
 * const feed = createDeliveryFeed({ initial: journal.recovered });
 * feed.subscribe((view) => console.log(view.id, view.handler));
 * feed.upsert({ ...view, handler: 'done' });
 */
import type { DeliveryFeed, DeliveryView } from './record.ts';

/** How many deliveries the feed keeps by default (the journal keeps them all). */
const FEED_LIMIT = 1000;

export interface WritableFeed extends DeliveryFeed {
  /** Adds a delivery or replaces the one with the same id, then tells subscribers. */
  upsert(view: DeliveryView): void;
  /** The delivery with `id`, if the feed still holds it. */
  get(id: string): DeliveryView | undefined;
}

export function createDeliveryFeed(options: { initial?: readonly DeliveryView[]; limit?: number } = {}): WritableFeed {
  const limit = options.limit ?? FEED_LIMIT;
  // A Map keeps insertion order, i.e. oldest first; list() reverses it.
  const views = new Map<string, DeliveryView>();
  const listeners = new Set<(view: DeliveryView) => void>();
  const trim = () => {
    for (const id of views.keys()) {
      if (views.size <= limit) break;
      views.delete(id);
    }
  };
  for (const view of options.initial ?? []) views.set(view.id, view);
  trim();

  return {
    list: () => [...views.values()].reverse(),
    get: (id) => views.get(id),
    subscribe(onChange) {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
    upsert(view) {
      views.set(view.id, view); // an update keeps the delivery's place
      trim();
      for (const listener of listeners) {
        try {
          listener(view);
        } catch {
          // A failing subscriber (a closed inspector stream) must not break the listener.
        }
      }
    },
  };
}
