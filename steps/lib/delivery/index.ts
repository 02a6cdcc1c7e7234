/**
 * delivery: the public face of this folder. Other folders import from here only.
 */
export { createDeliveryFeed } from './feed.ts';
export type { WritableFeed } from './feed.ts';
export { deliveryFor, retryDelayMs, runHandler } from './handler.ts';
export type { DeliveryHandler, RetryPolicy, RunOutcome, WebhookDelivery } from './handler.ts';
export { HANDLER_STATES, VERDICTS } from './record.ts';
export type { DeliveryFeed, DeliveryRecord, DeliveryView, HandlerState, Verdict } from './record.ts';
export { feedSource, matchesQuery } from './source.ts';
export type { DeliveryList, DeliveryQuery, DeliverySource, RetryResult } from './source.ts';
export { watchFeed } from './watch.ts';
