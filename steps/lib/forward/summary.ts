/**
 * What became of a delivery's forwards to the user's app, in one line for step 5: a delivery that
 * verifies may still have been refused by the app (another secret, a route that is not there), and
 * the user looking at step 5 would not know it otherwise.
 *
 * @example
 * describeForwards(view)
 * // 'Your app: forwarded to http://127.0.0.1:8000/webhooks 1 time; the last try, at 2026-…: 200 in 12 ms "OK the signatures match".'
 */
import type { DeliveryView, HandlerState } from '../delivery/index.ts';
import { redactUrlSecrets } from '../core/index.ts';
import { describeAttempt } from './forward.ts';

/** The line for `view`'s forwards; undefined when it was never forwarded. */
export function describeForwards(view: Pick<DeliveryView, 'forward' | 'handler'>): string | undefined {
  const last = view.forward?.recent.at(-1);
  if (view.forward === undefined || last === undefined) return undefined;
  const times = view.forward.attempts === 1 ? '1 time' : `${view.forward.attempts} times`;
  const next = WHAT_NEXT[view.handler];
  return `Your app: forwarded to ${redactUrlSecrets(last.url)} ${times}; the last try, at ${last.at}: ${describeAttempt(last)}.${next === undefined ? '' : ` ${next}`}`;
}

/** What happens next, by the delivery's handler state; nothing to add once the app took it. */
const WHAT_NEXT: Partial<Record<HandlerState, string>> = {
  pending: 'It is queued to be forwarded again.',
  running: 'It is being forwarded again.',
  failed: 'A retry is scheduled (HANDLER_RETRY_LIMIT, HANDLER_RETRY_DELAY_MS).',
  dead: 'It is dead (no retries left): fix your app, then Retry now in the inspector sends it again.',
};
