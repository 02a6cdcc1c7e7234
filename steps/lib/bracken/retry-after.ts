/**
 * A Retry-After header (RFC 9110 §10.2.3: seconds, or an HTTP date) as words for a hint, so a
 * person told to wait knows how long. Bracken does not document rate limits; this reads the
 * standard header any server or proxy in front of it may send with a 429 or a 503.
 *
 * @example
 * waitFor('17') // '17 s'
 * waitFor('Wed, 01 Jan 2025 12:05:00 GMT') // 'until 2025-01-01T12:05:00.000Z'
 */

/** How long `retryAfter` asks to wait, or undefined when there is none or it cannot be read. */
export function waitFor(retryAfter: string | null | undefined): string | undefined {
  const value = retryAfter?.trim() ?? '';
  if (/^\d{1,9}$/.test(value)) return `${Number(value)} s`;
  const date = /[a-z]/i.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(date) ? undefined : `until ${new Date(date).toISOString()}`;
}
