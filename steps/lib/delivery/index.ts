/**
 * delivery: the public face of this folder. Other folders import from here only.
 */
export { createDeliveryFeed } from './feed.ts';
export type { WritableFeed } from './feed.ts';
export type { DeliveryFeed, DeliveryRecord, DeliveryView, HandlerState, Verdict } from './record.ts';
export { watchFeed } from './watch.ts';
