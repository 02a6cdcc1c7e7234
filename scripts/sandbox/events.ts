/**
 * Bracken's webhook events and the payload the sandbox sends for them.
 *
 * The event list is Bracken's documented one (docs.brackenlearning.com/docs/webhook-events;
 * shared/bracken-api.md §1.3). The payload shape is NOT documented by Bracken: it is the sandbox's
 * own, provisional choice in Bracken's naming (`eventname`, `domainkey`, `userkey`, `username`).
 *
 * @example
 * canonicalEventName('user_create') // 'User_Create'
 * encodePayload({ eventname: 'User_Create', domainkey: 15435, userkey: 1001, username: 'Zoë', timestamp })
 * // '{"eventname":"User_Create",...,"username":"Zo\u00eb",...}' — plain ASCII bytes
 */

/** Every event Bracken documents, spelled as Bracken spells it. */
export const EVENT_NAMES = [
  'User_Create',
  'User_Delete',
  'Module_Start',
  'Module_Complete',
  'Module_Expiring',
  'Module_Expired',
  'Course_Complete',
  'Course_Expiring',
  'Course_Expired',
] as const;

export type EventName = (typeof EVENT_NAMES)[number];

const BY_LOWER_CASE: ReadonlyMap<string, EventName> = new Map(EVENT_NAMES.map((name) => [name.toLowerCase(), name]));

/**
 * Bracken's spelling of `name`, matched case-insensitively (the tutorial's URL says `user_create`,
 * the docs say `User_Create`; both reach the same subscription). Undefined for an unknown event.
 */
export function canonicalEventName(name: string): EventName | undefined {
  return BY_LOWER_CASE.get(name.toLowerCase());
}

/** What the sandbox puts in a delivery body (provisional: Bracken documents no payload). */
export interface EventPayload {
  readonly eventname: EventName;
  readonly domainkey: number;
  readonly userkey: number;
  readonly username: string;
  /** ISO 8601 time the event happened. */
  readonly timestamp: string;
}

/**
 * The exact body text to send: compact JSON with every non-ASCII character escaped as `\uXXXX`,
 * the way .NET's default serializer writes it. Pure ASCII means the bytes are the same in any
 * ASCII-compatible encoding. The catch, kept on purpose because it is the tutorial's lesson: a
 * receiver that verifies `JSON.stringify(req.body)` (the tutorial's way) re-emits `ü` where the
 * sender wrote `\u00fc`, so its HMAC no longer matches for such usernames; verifying the raw
 * bytes always works.
 */
export function encodePayload(payload: EventPayload): string {
  // Key order is fixed by this literal, so the text is the same on every run for the same event.
  const ordered = {
    eventname: payload.eventname,
    domainkey: payload.domainkey,
    userkey: payload.userkey,
    username: payload.username,
    timestamp: payload.timestamp,
  };
  return escapeNonAscii(JSON.stringify(ordered));
}

/** Replaces every UTF-16 code unit above 0x7E with its `\uXXXX` escape (JSON-safe: only string contents can hold them). */
export function escapeNonAscii(json: string): string {
  return json.replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
