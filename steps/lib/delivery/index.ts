/**
 * delivery: the public face of this folder. Other folders import from here only.
 */
export { createDeliveryFeed } from './feed.ts';
export type { WritableFeed } from './feed.ts';
export { acknowledgement, duplicateAnswer, listenerAnswer } from './answer.ts';
export { deliveryFor, HandlerFailure, retryDelayMs, runHandler } from './handler.ts';
export type { DeliveryHandler, DeliveryToRun, RetryPolicy, RunLimits, RunOutcome, RunReport, WebhookDelivery } from './handler.ts';
export { FAILURE_MESSAGE_MAX_CHARS, failureMessage } from './failure-message.ts';
export { parseJsonBody } from './json-body.ts';
export { FORWARD_LOG_KEEP, withForwardAttempt, withOutcome } from './outcome.ts';
export { HANDLER_STATES, VERDICTS } from './record.ts';
export type {
  DeliveryFeed,
  DeliveryRecord,
  DeliveryView,
  ForwardAttempt,
  ForwardLog,
  ForwardResponse,
  HandlerState,
  ListenerAnswer,
  Verdict,
} from './record.ts';
export { feedSource, matchesQuery, checkRetry } from './source.ts';
export type { DeliveryList, DeliveryQuery, DeliverySource, GetOptions, RetryOptions, RetryResult } from './source.ts';
export { watchFeed } from './watch.ts';
