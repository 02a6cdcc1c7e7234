/**
 * What a verified body holds: whether its Content-Type says JSON, whether its Content-Encoding says
 * it is compressed, and the event name in its JSON (parsed only after the signature checked out, by
 * delivery/'s parseJsonBody).
 *
 * @example
 * isJsonMediaType('application/json; charset=utf-8') // true
 * foreignCharsetOf('application/json; charset=ISO-8859-1') // 'ISO-8859-1'
 * codingsOf('gzip, identity')                        // ['gzip']
 * eventNameOf(parseJsonBody(body))                   // 'User_Create'
 */

/** application/json, or any application/*+json type, with or without parameters (RFC 6839). */
export function isJsonMediaType(contentType: string): boolean {
  const type = (contentType.split(';', 1)[0] ?? '').trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9!#$&^_.+-]+\+json$/.test(type);
}

/**
 * The `charset` a Content-Type names when it is not UTF-8 (or its ASCII subset), as sent;
 * undefined otherwise. JSON has no charset parameter: it is UTF-8 (RFC 8259 8.1), so a body that
 * parses is taken whatever the label says, and this only explains one that does not.
 */
export function foreignCharsetOf(contentType: string | undefined): string | undefined {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1];
  return charset === undefined || /^(?:utf-?8|us-ascii)$/i.test(charset) ? undefined : charset;
}

/**
 * The codings a Content-Encoding or Transfer-Encoding value names, lower-case, without `identity`
 * (no coding): the listener never decodes a body, because the signature covers the bytes as sent.
 */
export function codingsOf(headerValue: string | undefined): string[] {
  if (headerValue === undefined) return [];
  return headerValue
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
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
