/**
 * What a sender wrote, quoted for a failure message or a diagnosis. The listener logs and journals
 * these for every refused request and `npm run verify` prints them, so they must be short and
 * print as what they are: Node hands header bytes over as Latin-1, so a header can carry C1
 * controls (U+009B starts a terminal escape sequence) and a no-break space that prints like a
 * space, and a Vonage JSON body can carry any character, a right-to-left override included.
 *
 * @example
 * quoteSent('\u009b31mBearer') // '"\\u009b31mBearer"'
 * quoteSent('x'.repeat(1000))  // '"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…"'
 */
import { quoteShort } from '../core/index.ts';

// JSON.stringify already escapes C0 controls, quotes and backslashes; quoteShort adds the '…'.
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e…]/g;

/** quoteShort(value, max) with every character outside printable ASCII written as `\uXXXX`. */
export function quoteSent(value: string, max = 40): string {
  return quoteShort(value, max).replace(NOT_PRINTABLE_ASCII, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
