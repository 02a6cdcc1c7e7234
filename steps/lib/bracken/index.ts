/**
 * bracken: the public face of this folder. Other folders import from here only.
 */
export { createBrackenApi } from './api.ts';
export type { GoneStatus } from './api.ts';
export { cleanupAttempts, failureNote } from './cleanup-attempts.ts';
export type { CleanupAttempts, CleanupFailure, CleanupOutcome } from './cleanup-attempts.ts';
export { SANDBOX_FAILED_HINT } from './network-errors.ts';
export { TOKEN_PATH, userCreatePath, userDeletePath, webhookMergePath } from './routes.ts';
export { EXPIRY_MARGIN_MS, getAccessToken, tokenEndpoint } from './token.ts';
export type { AccessToken } from './token.ts';
export { noteUserMayExist, userkeyFrom } from './user-answer.ts';
export { resolveWebhookSecret, resolveWebhookTarget } from './webhook-target.ts';
export type { ResolvedTarget } from './webhook-target.ts';
export { findSubscription, subscribedElsewhereNote, subscriptionStatus } from './subscription-status.ts';
export type { SubscriptionStatus } from './subscription-status.ts';
export { EVENT_SHAPES, checkBrackenEvent } from './events.ts';
export type {
  BrackenEvent,
  CourseCompleteEvent,
  CourseExpiredEvent,
  CourseExpiringEvent,
  EventCheck,
  EventOf,
  ModuleCompleteEvent,
  ModuleExpiredEvent,
  ModuleExpiringEvent,
  ModuleStartEvent,
  UserCreateEvent,
  UserDeleteEvent,
} from './events.ts';
export { eventSummary, formatFields } from './event-fields.ts';
export type { EventSummary } from './event-fields.ts';
