/**
 * One delivery attempt: POST the delivery's exact bytes and signature to its target, and keep what
 * came back (status, headers, the first 4 KiB of the body, the time it took) or the network error.
 * This is what the sandbox's delivery log shows for each attempt, as Stripe's and Svix's dashboards do.
 *
 * @example
 * const attempt = await sendAttempt({ delivery, number: 1, trigger: 'schedule', agent, timeoutMs: 5000, signal, now: Date.now });
 * attempt.response?.status // 200
 */
import type { Agent } from 'undici';
import { request } from 'undici';
import { describeNetworkError, headerPairs, readAnswerStart } from '../../steps/lib/core/index.ts';
import type { DeliveryAttempt, StoredDelivery } from './store.ts';

const USER_AGENT = 'bracken-webhook-workbench-sandbox';

/** The headers every attempt of `delivery` sends (undici adds host, connection and content-length). */
export function deliveryHeaders(delivery: Pick<StoredDelivery, 'authorization'>): [string, string][] {
  return [
    ['content-type', 'application/json'],
    ['authorization', delivery.authorization],
    ['user-agent', USER_AGENT],
  ];
}

export interface AttemptOptions {
  readonly delivery: Pick<StoredDelivery, 'target' | 'body' | 'authorization'>;
  readonly number: number;
  readonly trigger: DeliveryAttempt['trigger'];
  readonly agent: Agent;
  /** Per attempt: connect, send, and read the answer. */
  readonly timeoutMs: number;
  /** Aborts the attempt (the sandbox stopping): the attempt's error is then the signal's reason. */
  readonly signal: AbortSignal;
  readonly now: () => number;
}

/** Sends one attempt and describes it; never rejects (a failure is an attempt with an `error`). */
export async function sendAttempt(options: AttemptOptions): Promise<DeliveryAttempt> {
  const { delivery, timeoutMs } = options;
  const at = new Date(options.now()).toISOString();
  const started = performance.now();
  const done = (response: DeliveryAttempt['response'], error: string | null): DeliveryAttempt => ({
    number: options.number,
    at,
    trigger: options.trigger,
    target: delivery.target,
    latencyMs: Math.round(performance.now() - started),
    response,
    error,
  });
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const response = await request(delivery.target, {
      method: 'POST',
      dispatcher: options.agent,
      headers: deliveryHeaders(delivery).flat(),
      body: delivery.body,
      signal: AbortSignal.any([timeout, options.signal]),
    });
    const { text, truncated } = await readAnswerStart(response.body);
    return done({ status: response.statusCode, headers: headerPairs(response.headers), body: text, bodyTruncated: truncated }, null);
  } catch (cause) {
    if (options.signal.aborted) return done(null, `aborted: ${String(options.signal.reason)}`);
    return done(null, timeout.aborted ? `timed out after ${timeoutMs} ms` : describeNetworkError(cause));
  }
}

/**
 * Bytes kept of an answer body once a newer attempt of the delivery has come: its start still
 * shows whether the answer changed, and a pending delivery's ten kept attempts cost about 6 KiB of
 * bodies instead of 40 (10,000 pending ones made a 480 MB store, rewritten after every batch).
 */
export const EARLIER_ANSWER_BYTES = 256;

/** `attempt` with its answer body cut to EARLIER_ANSWER_BYTES of UTF-8 (never inside a character). */
export function withEarlierAnswer(attempt: DeliveryAttempt): DeliveryAttempt {
  const response = attempt.response;
  if (response === null || Buffer.byteLength(response.body) <= EARLIER_ANSWER_BYTES) return attempt;
  let bytes = 0;
  let end = 0;
  for (const character of response.body) {
    bytes += Buffer.byteLength(character);
    if (bytes > EARLIER_ANSWER_BYTES) break;
    end += character.length;
  }
  return { ...attempt, response: { ...response, body: response.body.slice(0, end), bodyTruncated: true } };
}
