/**
 * A value someone else wrote, quoted for a message without all of it: a message names what was
 * wrong, and a sender (or a payload) must not be able to make a log line as large as its body.
 *
 * @example
 * quoteShort('User_Update') // '"User_Update"'
 * quoteShort('x'.repeat(1000)) // '"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…"'
 */

/** `value` as a JSON string, cut to `max` characters (then `…`). */
export function quoteShort(value: string, max = 40): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}
