/**
 * The JSON in a delivery's body, parsed the one way both places that parse it need: the listener
 * (after the signature checked out, before it answers) and a handler's delivery recovered from the
 * store (deliveryFor), so a body the listener accepted always parses again the same.
 *
 * @example
 * parseJsonBody(Buffer.from('\uFEFF{"eventname":"User_Create"}')) // { eventname: 'User_Create' }
 */
import { isUtf8 } from 'node:buffer';

/**
 * The JSON in a body: UTF-8 only (throws TypeError otherwise), a leading byte order mark ignored
 * as RFC 8259 §8.1 allows, SyntaxError for anything JSON.parse refuses.
 */
export function parseJsonBody(body: Buffer): unknown {
  if (!isUtf8(body)) throw new TypeError('it is not valid UTF-8');
  const text = body.toString('utf8');
  return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
}
