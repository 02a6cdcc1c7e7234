/**
 * report: the public face of this folder. Other folders import from here only.
 */
export { describeBody, headersOf, latestWebhookDelivery } from './captured-delivery.ts';
export { checkReserialization, describeReserialization } from './reserialization.ts';
export type { ReserializationCheck } from './reserialization.ts';
export { computedSignature, headerLine, receivedSignature } from './signatures.ts';
export { describePassedOver, describeUser, findWalkthroughDelivery, whyNotThisWalkthrough } from './walkthrough-delivery.ts';
export type { PassedOver, WalkthroughQuery, WalkthroughSearch } from './walkthrough-delivery.ts';
export { chooseDelivery } from './choose-delivery.ts';
export type { DeliveryChoice } from './choose-delivery.ts';
export { describeEvent } from './event-lines.ts';
