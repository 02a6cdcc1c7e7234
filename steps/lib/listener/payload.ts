/**
 * What a verified body holds: whether its Content-Type says JSON, the JSON itself (parsed only
 * after the signature checked out), and the event name in it.
 *
 * @example
 * isJsonMediaType('application/json; charset=utf-8') // true
 * eventNameOf(parseJsonBody(body))                   // 'User_Create'
 */
import { isUtf8 } from 'node:buffer';

/** application/json, or any application/*+json type, with or without parameters (RFC 6839). */
export function isJsonMediaType(contentType: string): boolean {
  const type = (contentType.split(';', 1)[0] ?? '').trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9!#$&^_.+-]+\+json$/.test(type);
}

/**
 * The JSON in a body: UTF-8 only (throws TypeError otherwise), a leading byte order mark ignored
 * as RFC 8259 §8.1 allows, SyntaxError for anything JSON.parse refuses.
 */
export function parseJsonBody(body: Buffer): unknown {
  if (!isUtf8(body)) throw new TypeError('it is not valid UTF-8');
  const text = body.toString('utf8');
  return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
}

const EVENT_KEYS = ['eventname', 'event', 'type'];

/**
 * The event name in a parsed payload: `eventname` (Bracken's naming), else `event`, else `type`,
 * matching keys case-insensitively (a .NET sender may write `EventName`).
 */
export function eventNameOf(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  const entries = Object.entries(payload);
  for (const wanted of EVENT_KEYS) {
    const found = entries.find(([key, value]) => key.toLowerCase() === wanted && typeof value === 'string' && value !== '');
    if (found !== undefined) return found[1] as string;
  }
  return undefined;
}
