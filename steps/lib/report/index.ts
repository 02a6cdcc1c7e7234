/**
 * report: the public face of this folder. Other folders import from here only.
 */
export { describeBody, headersOf, latestWebhookDelivery } from './captured-delivery.ts';
export { checkReserialization, describeReserialization } from './reserialization.ts';
export type { ReserializationCheck } from './reserialization.ts';
export { computedSignature, headerLine, receivedSignature } from './signatures.ts';
