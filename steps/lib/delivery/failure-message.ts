/**
 * The message a failed run is recorded with, from whatever its handler threw. A handler author may
 * throw anything: a string, `undefined`, an object with no prototype (String() of it throws), an
 * Error whose `message` getter throws, or one with a 10 MB message. Each becomes a short string,
 * without throwing: this runs where a throw would lose the run's outcome (and, in `npm run worker`,
 * fail every other run of its batch), and the message is stored with every try and printed in the log.
 *
 * @example
 * failureMessage(new Error('database is down')) // 'database is down'
 * failureMessage(Object.create(null))            // 'the handler threw an object that is not an Error (no message to show)'
 */

/** Characters of a message kept; the rest is counted, not stored (a journal entry, a row, a log line per try). */
export const FAILURE_MESSAGE_MAX_CHARS = 2000;

/** A short, printable message for `caught`; never throws. */
export function failureMessage(caught: unknown): string {
  return capped(messageOf(caught));
}

function messageOf(caught: unknown): string {
  if (typeof caught === 'string') return caught === '' ? 'the handler threw an empty string' : caught;
  if (typeof caught !== 'object' || caught === null) {
    // undefined, null, a number, a Symbol...: String() of these never throws.
    return `the handler threw ${typeof caught === 'symbol' ? caught.toString() : String(caught)}, not an Error`;
  }
  let isError = false;
  try {
    // Inside the try: `instanceof` on a Proxy runs its getPrototypeOf trap, which may throw.
    isError = caught instanceof Error;
    const { message, name } = caught as { message?: unknown; name?: unknown };
    if (typeof message === 'string' && message !== '') return message;
    if (isError) return `${typeof name === 'string' && name !== '' ? name : 'Error'} with no message`;
    const json = JSON.stringify(caught);
    if (json !== undefined && json !== '{}') return `the handler threw ${json}, not an Error`;
  } catch {
    // A getter that throws, a circular object, a BigInt inside: there is nothing more to show.
  }
  return isError ? 'Error with no readable message' : 'the handler threw an object that is not an Error (no message to show)';
}

function capped(message: string): string {
  if (message.length <= FAILURE_MESSAGE_MAX_CHARS) return message;
  return `${message.slice(0, FAILURE_MESSAGE_MAX_CHARS)}… (${message.length - FAILURE_MESSAGE_MAX_CHARS} more characters)`;
}
