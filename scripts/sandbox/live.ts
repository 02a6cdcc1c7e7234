/**
 * The delivery log's live feed, `GET /sandbox/events` (Server-Sent Events, core's bounded streams):
 * `delivery` with a delivery's view whenever it changes (queued, attempt started or answered,
 * cancelled, failed), and `users` / `subscriptions` with the whole list when one of them changes.
 * The page loads the lists once and then follows these events.
 *
 * @example
 * const live = createLiveFeed({ store, log });
 * const engine = createDeliveryEngine({ ..., onChange: live.delivery }); // every open page updates that row
 */
import { createEventStreams, SECURITY_HEADERS, type EventStreams } from '../../steps/lib/core/index.ts';
import { subscriptionView } from './api.ts';
import { deliveryView } from './delivery-view.ts';
import type { Store, StoredDelivery } from './store.ts';

export interface LiveFeed {
  readonly streams: EventStreams;
  /** Sends the delivery's view (the engine's onChange). */
  delivery(delivery: StoredDelivery, inFlight: boolean): void;
  changed(what: 'users' | 'subscriptions'): void;
}

export interface LiveFeedOptions {
  readonly store: Store;
  readonly log: (line: string) => void;
}

/** A feed whose streams the routes open and whose events the engine and the API trigger. */
export function createLiveFeed(options: LiveFeedOptions): LiveFeed {
  const { store } = options;
  const streams = createEventStreams({
    headers: SECURITY_HEADERS,
    onDrop: () => options.log('delivery log: dropped an event stream that stopped reading (its browser tab reconnects by itself)'),
  });
  return {
    streams,
    delivery(delivery, inFlight) {
      if (streams.size() > 0) streams.broadcast('delivery', deliveryView(delivery, inFlight));
    },
    changed(what) {
      if (streams.size() === 0) return;
      streams.broadcast(what, what === 'users' ? store.data.users : store.data.subscriptions.map(subscriptionView));
    },
  };
}
