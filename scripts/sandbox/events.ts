/**
 * Bracken's webhook events and the exact bytes the sandbox sends for them.
 *
 * The event list is Bracken's documented one (docs.brackenlearning.com/docs/webhook-events;
 * shared/bracken-api.md §1.3). The payloads are NOT documented by Bracken: they are the provisional
 * shapes of steps/lib/bracken/events.ts (`BrackenEvent`), the sandbox's own choice in Bracken's
 * naming, which the receiver's types and checks share.
 *
 * @example
 * canonicalEventName('user_create') // 'User_Create'
 * encodePayload({ eventname: 'User_Create', domainkey: 15435, userkey: 1001, username: 'Zoë', timestamp })
 * // '{"eventname":"User_Create",...,"username":"Zo\u00eb",...}' — plain ASCII bytes
 */
import { EVENT_SHAPES, type BrackenEvent } from '../../steps/lib/bracken/index.ts';
import { canonicalEventName, EVENT_NAMES, type EventName } from '../../steps/lib/core/index.ts';

export { canonicalEventName, EVENT_NAMES, type EventName };

/** What the sandbox puts in a delivery body (provisional: Bracken documents no payload). */
export type EventPayload = BrackenEvent;

/**
 * The exact body text to send: compact JSON, keys in a fixed order (`eventname`, then the event's
 * fields as EVENT_SHAPES lists them, `timestamp` last), and every non-ASCII character escaped as
 * `\uXXXX`, the way .NET's default serializer writes it. Pure ASCII means the bytes are the same
 * in any ASCII-compatible encoding. The catch, kept on purpose because it is the tutorial's
 * lesson: a receiver that verifies `JSON.stringify(req.body)` (the tutorial's way) re-emits `ü`
 * where the sender wrote `\u00fc`, so its HMAC no longer matches for such usernames; verifying the
 * raw bytes always works.
 */
export function encodePayload(payload: EventPayload): string {
  return escapeNonAscii(JSON.stringify(orderedPayload(payload)));
}

/** `payload` with its keys in the order the bytes carry them, so a route's JSON answer shows the same order. */
export function orderedPayload(payload: EventPayload): EventPayload {
  const fields = Object.keys(EVENT_SHAPES[payload.eventname]).filter((field) => field !== 'timestamp');
  const values: Readonly<Record<string, unknown>> = { ...payload };
  // The same keys and values in another order: still an EventPayload.
  return Object.fromEntries([
    ['eventname', payload.eventname],
    ...fields.map((field) => [field, values[field]]),
    ['timestamp', payload.timestamp],
  ]) as EventPayload;
}

/** Replaces every UTF-16 code unit above 0x7E with its `\uXXXX` escape (JSON-safe: only string contents can hold them). */
export function escapeNonAscii(json: string): string {
  return json.replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
