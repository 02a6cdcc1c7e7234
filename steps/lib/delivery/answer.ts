/**
 * The listener's answer as it is stored with the record: the record is written before the answer
 * goes out, and the answer is sent from what was stored, so the inspector shows what was sent and
 * not a reconstruction. A sender's retry is answered `"duplicate": true`, which only the store can
 * tell (it claims the dedupe key), so the store turns a first-copy answer into a duplicate's.
 *
 * @example
 * const answer = listenerAnswer({ 'content-type': 'application/json; charset=utf-8' }, acknowledgement('m1x-ab', false));
 * answer.headers // [['content-type', 'application/json; charset=utf-8'], ['content-length', '35']]
 */
import type { ListenerAnswer } from './record.ts';

/** The JSON body of an acknowledgement: `{"received":true,"id":"…"}`, with `"duplicate":true` for a sender's retry. */
export function acknowledgement(id: string, duplicate: boolean): string {
  return JSON.stringify({ received: true, id, ...(duplicate ? { duplicate: true } : {}) });
}

/** The answer with `headers` (in this order) and `body`, plus the `content-length` the body gets on the wire. */
export function listenerAnswer(headers: Readonly<Record<string, string>>, body: string): ListenerAnswer {
  const set = Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'content-length');
  return { headers: [...set, ['content-length', String(Buffer.byteLength(body))]], body };
}

/** The same answer, acknowledging delivery `id` as a duplicate (its length follows the new body). */
export function duplicateAnswer(answer: ListenerAnswer, id: string): ListenerAnswer {
  return listenerAnswer(Object.fromEntries(answer.headers), acknowledgement(id, true));
}
