/**
 * LISTEN_FORWARD_TO: the handler that hands each verified delivery to the user's own app, as
 * `stripe listen --forward-to` does, after the listener has verified, stored and acknowledged it.
 * The app gets the exact bytes and the sender's signature headers (headers.ts), so it verifies the
 * delivery itself, as it will in production. A 2xx is done; no answer, or any other status, fails
 * the run, and the worker retries it with HANDLER_RETRY_LIMIT / HANDLER_RETRY_DELAY_MS like any
 * handler. Each try, with the app's answer, is reported and stored with the delivery.
 *
 * @example
 * const handler = forwardingHandler({ url: 'http://127.0.0.1:8000/webhooks', scheme: bracken, handlerTimeoutMs: 30_000, log });
 * // log: 'forwarded User_Create m1x…-ab to http://127.0.0.1:8000/webhooks: 200 in 12 ms "OK the signatures match"'
 */
import { type Config, forwardTarget, redactUrlSecrets } from '../core/index.ts';
import { type DeliveryHandler, HandlerFailure } from '../delivery/index.ts';
import { listenScheme } from '../signature/index.ts';
import { accepted, describeAttempt, forwardOnce } from './forward.ts';
import { type ForwardedScheme, forwardedHeaderNames, forwardedHeaders } from './headers.ts';

export interface ForwardingOptions {
  /** The user's app (LISTEN_FORWARD_TO or `--forward-to`). */
  readonly url: string;
  /** The listener's scheme (LISTEN_SCHEME): its signature headers go with Content-Type and User-Agent (headers.ts). */
  readonly scheme: ForwardedScheme;
  /** HANDLER_TIMEOUT_MS: the app gets most of it to answer (forwardTimeoutMs). */
  readonly handlerTimeoutMs: number;
  readonly log: (line: string) => void;
}

/**
 * The app's share of HANDLER_TIMEOUT_MS, so the forward's own timeout (a try with its error,
 * stored) fires before the handler's (a failure with nothing to show).
 */
const APP_SHARE_PERCENT = 90;

/** The app's time to answer: APP_SHARE_PERCENT of HANDLER_TIMEOUT_MS. */
export function forwardTimeoutMs(handlerTimeoutMs: number): number {
  return Math.max(1, Math.floor((handlerTimeoutMs * APP_SHARE_PERCENT) / 100));
}

export function forwardingHandler(options: ForwardingOptions): DeliveryHandler {
  const { url, scheme, log } = options;
  // A credential in the URL (`?token=`, which some apps use to tell their sender) is shortened wherever the URL is printed.
  const shown = redactUrlSecrets(url);
  const timeoutMs = forwardTimeoutMs(options.handlerTimeoutMs);
  const timeoutSource = `your app has ${APP_SHARE_PERCENT}% of HANDLER_TIMEOUT_MS=${options.handlerTimeoutMs} to answer`;
  return async (delivery) => {
    const headers = forwardedHeaders(delivery.record.headers, scheme);
    const forward = await forwardOnce({ url, body: delivery.body, headers, timeoutMs, timeoutSource, signal: delivery.signal });
    if (!accepted(forward)) {
      const what = forward.response === undefined ? describeAttempt(forward) : `your app answered ${describeAttempt(forward)}`;
      throw new HandlerFailure(`forward to ${shown}: ${what}`, { forward });
    }
    log(`forwarded ${delivery.event ?? 'a delivery'} ${delivery.id} to ${shown}: ${describeAttempt(forward)}`);
    return { forward };
  };
}

/**
 * The forwarding step 3 and `npm run worker` run: to `--forward-to` (`option`, checked and named as
 * such) when given, else to LISTEN_FORWARD_TO, with LISTEN_SCHEME's headers and HANDLER_TIMEOUT_MS;
 * undefined when neither is set.
 */
export function configuredForwarding(
  config: Config,
  option: string | undefined,
  log: (line: string) => void,
): { url: string; handler: DeliveryHandler; description: string } | undefined {
  const url = option === undefined ? config.listen.forwardTo : forwardTarget('--forward-to', option, config.listen);
  if (url === undefined) return undefined;
  const scheme = listenScheme(config.listen.scheme);
  const { retryLimit, retryDelayMs } = config.handlers;
  const description =
    `Forwarding each verified delivery to ${redactUrlSecrets(url)} after the answer, with its exact bytes and the headers ` +
    `${forwardedHeaderNames(scheme).join(', ')}; an app that is down or answers non-2xx is retried ` +
    `(HANDLER_RETRY_LIMIT=${retryLimit}, HANDLER_RETRY_DELAY_MS=${retryDelayMs}).`;
  return { url, handler: forwardingHandler({ url, scheme, handlerTimeoutMs: config.handlers.timeoutMs, log }), description };
}
