/**
 * The running listener's deliveries in memory, for the inspector: the most recent `limit` views,
 * updated live as requests are answered and handlers finish. Bodies bound it too: it keeps no more
 * than `maxBodyBytes` of body bytes, so 10,000 deliveries of 64 KiB do not hold 640 MB.
 *
 * @example
 * const feed = createDeliveryFeed({ initial: journal.recovered });
 * feed.subscribe((view) => console.log(view.id, view.handler));
 * feed.upsert({ ...view, handler: 'done' });
 */
import type { DeliveryFeed, DeliveryView } from './record.ts';

/** How many deliveries the feed keeps by default (the journal keeps them all). */
const FEED_LIMIT = 1000;
/** How many body bytes the feed keeps by default: 512 deliveries of 64 KiB. */
export const FEED_BODY_LIMIT_BYTES = 32 * 1024 * 1024;

export interface WritableFeed extends DeliveryFeed {
  /** Adds a delivery or replaces the one with the same id, then tells subscribers. */
  upsert(view: DeliveryView): void;
  /** The delivery with `id`, if the feed still holds it. */
  get(id: string): DeliveryView | undefined;
}

export function createDeliveryFeed(options: { initial?: readonly DeliveryView[]; limit?: number; maxBodyBytes?: number } = {}): WritableFeed {
  const limit = options.limit ?? FEED_LIMIT;
  const maxBodyBytes = options.maxBodyBytes ?? FEED_BODY_LIMIT_BYTES;
  // A Map keeps insertion order, i.e. oldest first; list() reverses it.
  const views = new Map<string, DeliveryView>();
  let bodyBytes = 0;
  const listeners = new Set<(view: DeliveryView) => void>();
  const set = (view: DeliveryView) => {
    bodyBytes += view.body.length - (views.get(view.id)?.body.length ?? 0);
    views.set(view.id, view); // an update keeps the delivery's place
  };
  // Oldest out first; the newest delivery always stays, whatever its size.
  const trim = () => {
    for (const [id, view] of views) {
      if (views.size <= 1 || (views.size <= limit && bodyBytes <= maxBodyBytes)) break;
      views.delete(id);
      bodyBytes -= view.body.length;
    }
  };
  for (const view of options.initial ?? []) set(view);
  trim();

  return {
    list: () => [...views.values()].reverse(),
    get: (id) => views.get(id),
    subscribe(onChange) {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
    upsert(view) {
      set(view);
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
