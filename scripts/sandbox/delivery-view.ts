/**
 * A delivery as the delivery log shows it (`GET /sandbox/deliveries`, the page, its live events,
 * `npm run sandbox -- deliveries`): the stored record with the signature shortened, the request
 * every attempt sends, and the attempts with the receiver's answers. The full signature never
 * leaves the sandbox; resend reads it from the store.
 *
 * @example
 * deliveryView(delivery, false).request.headers // [['content-type', 'application/json'], ['authorization', 'HMACSHA256 AbCd…(55 chars)'], ...]
 */
import { redact } from '../../steps/lib/core/index.ts';
import { deliveryHeaders } from './attempt.ts';
import type { StoredDelivery } from './store.ts';

/**
 * How many deliveries the page (and `npm run sandbox -- deliveries`) list: the newest. Thousands
 * of pending ones made a list of tens of MB that took seconds to build and froze the page's table.
 */
export const PAGE_LIST_LIMIT = 500;
export const COMMAND_LIST_LIMIT = 100;

/** The request every attempt of a delivery sends: the same bytes, the same signature. */
export interface RequestView {
  readonly method: 'POST';
  readonly url: string;
  /** Header pairs, the signature shortened. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
}

export interface DeliveryView extends StoredDelivery {
  /** True while an attempt is on its way. */
  readonly inFlight: boolean;
  readonly request: RequestView;
}

/** Enough of `HMACSHA256 <base64>` to tell two signatures apart: the scheme word and four characters. */
function shortSignature(authorization: string): string {
  return redact(authorization, 'HMACSHA256 '.length + 4);
}

/** `delivery` for the log: signature shortened, request spelled out. */
export function deliveryView(delivery: StoredDelivery, inFlight: boolean): DeliveryView {
  const authorization = shortSignature(delivery.authorization);
  const headers = deliveryHeaders({ authorization }).concat([['content-length', String(Buffer.byteLength(delivery.body))]]);
  return {
    ...structuredClone(delivery),
    authorization,
    inFlight,
    request: { method: 'POST', url: delivery.target, headers, body: delivery.body },
  };
}
