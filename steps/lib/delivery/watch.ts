/**
 * Waiting for a delivery to show up in a feed: the walkthrough waits for the User_Create delivery
 * step 4 causes, the inspector's replay for the delivery its request became. Start watching
 * before doing what causes the delivery, so a quick one cannot be missed.
 *
 * @example
 * const watch = watchFeed(feed, (view) => view.event === 'User_Create');
 * try {
 *   await createUser();
 *   const view = await watch.within(10_000); // undefined when none came in time
 * } finally {
 *   watch.stop();
 * }
 */
import type { DeliveryFeed, DeliveryView } from './record.ts';

export interface FeedWatch {
  /** The first match, as the feed holds it now (its handler may have run since): at once if it came already, else when it comes, else undefined after `ms`. */
  within(ms: number): Promise<DeliveryView | undefined>;
  /** Stops watching the feed. */
  stop(): void;
}

/** Watches `feed` from now on for the first delivery (new or updated) matching `test`. */
export function watchFeed(feed: DeliveryFeed, test: (view: DeliveryView) => boolean): FeedWatch {
  let found: DeliveryView | undefined;
  let wake: (() => void) | undefined;
  const stop = feed.subscribe((view) => {
    if (found === undefined && test(view)) {
      found = view;
      wake?.();
    }
  });
  return {
    async within(ms) {
      if (found === undefined) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      return found === undefined ? undefined : (feed.list().find((view) => view.id === found?.id) ?? found);
    },
    stop,
  };
}
