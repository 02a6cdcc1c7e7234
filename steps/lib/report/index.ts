/**
 * report: the public face of this folder. Other folders import from here only.
 */
export { bodyPreview, describeReserialization, expectedSignature, headersOf, latestWebhookDelivery, receivedSignature } from './delivery-report.ts';
export { checkReserialization } from './reserialization.ts';
export type { ReserializationCheck } from './reserialization.ts';
