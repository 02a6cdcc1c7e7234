/**
 * One forward: POST a verified delivery's exact bytes, with its signature headers, to the user's
 * app (LISTEN_FORWARD_TO), and keep what came back (status, headers, the first 4 KiB of the body,
 * the time it took) or the network error, as the sandbox does for its own attempts.
 *
 * @example
 * const attempt = await forwardOnce({ url: 'http://127.0.0.1:8000/webhooks', body, headers, timeoutMs: 27_000 });
 * attempt.response?.status // 200
 */
import { describeNetworkError, headerPairs, quoteShort, readAnswerStart, redactUrlSecrets } from '../core/index.ts';
import type { ForwardAttempt } from '../delivery/index.ts';

export interface ForwardRequest {
  /** The user's app: LISTEN_FORWARD_TO. */
  readonly url: string;
  /** The delivery's exact bytes. */
  readonly body: Uint8Array;
  /** The pairs to send (headers.ts decides which). */
  readonly headers: readonly (readonly [string, string])[];
  /** Connect, send and read the answer within this. */
  readonly timeoutMs: number;
  /** Added to a timeout's error: where the time limit comes from, e.g. `your app has 90% of HANDLER_TIMEOUT_MS=30000 to answer`. */
  readonly timeoutSource?: string;
  /** The handler run's (`delivery.signal`): when the worker stops waiting for the run, the forward stops too. */
  readonly signal?: AbortSignal;
  readonly now?: () => number;
}

/** Sends the delivery once and describes the try; never rejects (no answer is a try with an `error`). */
export async function forwardOnce(options: ForwardRequest): Promise<ForwardAttempt> {
  // Loaded on the first forward (a listener that does not forward never loads the HTTP client), and
  // before the clock starts: loading it takes up to a second on a busy machine, none of it the app's.
  const { request } = await import('undici');
  const { url, timeoutMs, now = Date.now } = options;
  const at = new Date(now()).toISOString();
  const started = performance.now();
  const latencyMs = () => Math.round(performance.now() - started);
  const timeout = AbortSignal.timeout(timeoutMs);
  const { signal: run } = options;
  try {
    const response = await request(url, {
      method: 'POST',
      headers: options.headers.flat(),
      body: Buffer.from(options.body),
      // One request, one connection: nothing pooled is left open to an app that may restart at any moment.
      reset: true,
      signal: run === undefined ? timeout : AbortSignal.any([timeout, run]),
    });
    const { text, truncated } = await readAnswerStart(response.body);
    const answer = { status: response.statusCode, headers: headerPairs(response.headers), body: text, bodyTruncated: truncated };
    return { url, at, latencyMs: latencyMs(), response: answer };
  } catch (cause) {
    return {
      url,
      at,
      latencyMs: latencyMs(),
      error: timeout.aborted
        ? `timed out after ${timeoutMs} ms${options.timeoutSource === undefined ? '' : ` (${options.timeoutSource})`}`
        : run?.aborted === true
          ? `stopped before your app answered: ${abortReason(run)}`
          : describeNetworkError(cause),
    };
  }
}

/** Why the run's signal aborted, in words: its reason's message (HANDLER_TIMEOUT_MS, the worker stopping). */
function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : String(reason);
}

/** True when the app took the delivery: a 2xx. */
export function accepted(attempt: ForwardAttempt): boolean {
  const status = attempt.response?.status;
  return status !== undefined && status >= 200 && status < 300;
}

/**
 * `200 in 12 ms "OK the signatures match"`, or `no answer (ECONNREFUSED …) after 3 ms`: for log
 * lines and errors. A redirect says where it pointed (a login page, a moved route): that is what
 * the user has to fix, and it is not followed, as Stripe and Svix do not follow one either.
 */
export function describeAttempt(attempt: ForwardAttempt): string {
  if (attempt.response === undefined) return `no answer (${attempt.error ?? 'unknown error'}) after ${attempt.latencyMs} ms`;
  const { status, headers, body, bodyTruncated } = attempt.response;
  const more = bodyTruncated || body.length > LOGGED_BODY_CHARS ? ' (shortened; the inspector has the first 4 KiB)' : '';
  const location = status >= 300 && status < 400 ? headers.find(([name]) => name.toLowerCase() === 'location')?.[1] : undefined;
  const redirect =
    location === undefined
      ? ''
      : `, a redirect to ${quoteShort(redactUrlSecrets(location), LOGGED_BODY_CHARS)} (not followed: deliveries go to LISTEN_FORWARD_TO only)`;
  return `${status} in ${attempt.latencyMs} ms${body === '' ? '' : ` ${quoteShort(body, LOGGED_BODY_CHARS)}${more}`}${redirect}`;
}

/** A log line shows this much of the app's body (the inspector has the first 4 KiB). */
const LOGGED_BODY_CHARS = 200;
