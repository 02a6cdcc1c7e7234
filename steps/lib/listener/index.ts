/**
 * listener: the public face of this folder. Other folders import from here only.
 */
export { startListener } from './listener.ts';
export type { RunningListener } from './listener.ts';
export { handlePerEvent } from './per-event-handler.ts';
export type { EventHandler, EventHandlers, PerEventOptions } from './per-event-handler.ts';
export { sampleHandler } from './sample-handler.ts';
export { webhookSecrets } from './secrets.ts';
export type { DeliveryHandler, WebhookDelivery } from './worker.ts';
