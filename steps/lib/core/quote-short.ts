/**
 * A value someone else wrote, quoted for a message without all of it: a message names what was
 * wrong, and a sender (or a payload) must not be able to make a log line as large as its body, nor
 * change how the rest of the line reads. JSON.stringify escapes C0 controls, quotes and backslashes;
 * the characters that still act on a terminal or a page are written as `\uXXXX` too: C1 controls
 * (U+009B starts a terminal escape sequence), the bidirectional overrides and isolates (U+202E shows
 * what follows right to left), the line and paragraph separators, and a byte order mark.
 *
 * @example
 * quoteShort('User_Update') // '"User_Update"'
 * quoteShort('x'.repeat(1000)) // '"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…"'
 * quoteShort('\u202egnp.exe') // '"\\u202egnp.exe"'
 */

const ACTS_ON_DISPLAY = /[\u0080-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** `value` as a JSON string, cut to `max` characters (then `…`), with what acts on a display escaped. */
export function quoteShort(value: string, max = 40): string {
  const quoted = JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
  return quoted.replace(ACTS_ON_DISPLAY, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
