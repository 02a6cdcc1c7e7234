/**
 * Which of a delivery's headers go to the user's app with it. An allow-list, not "everything but
 * the hop-by-hop ones": the app must verify and parse the delivery as it will in production, and
 * learn nothing of the listener's own connection.
 *
 * Forwarded, as received (name, case, order and repeats):
 * - `Content-Type`: how to read the body (express.json() looks at it).
 * - The headers the listener's scheme verifies (`Verifier.signedHeaders`): Bracken's
 *   `Authorization`; Standard Webhooks' `webhook-id`, `webhook-timestamp` and `webhook-signature`;
 *   GitHub's `X-Hub-Signature-256`... so the app checks the sender's own signature.
 * - `User-Agent`: who sent it, as the app will see in production.
 * - The sender's headers that say what the delivery is, for a scheme whose payload does not:
 *   GitHub's `X-GitHub-Event` and `X-GitHub-Delivery` (octokit's middleware refuses a delivery
 *   without them, and the event name is nowhere else) and its `X-GitHub-Hook-*`.
 *
 * Not forwarded: hop-by-hop headers (`Connection` and those it names, `Keep-Alive`,
 * `Transfer-Encoding`, `TE`, `Trailer`, `Upgrade`, `Proxy-*`: RFC 9110 §7.6.1; they describe one
 * connection, the sender's to the listener), `Host` and `Content-Length` (the forward's own, set by
 * the HTTP client), and whatever a tunnel or proxy added on the way (`X-Forwarded-*`, ngrok's),
 * which describe the listener's path and not the sender's request.
 *
 * @example
 * forwardedHeaders([['Host', 'abc.ngrok.app'], ['Authorization', 'HMACSHA256 …'], ['Content-Type', 'application/json']], bracken)
 * // [['Authorization', 'HMACSHA256 …'], ['Content-Type', 'application/json']]
 */

import type { Verifier } from '../signature/index.ts';

/** Forwarded whatever the scheme. */
const ALWAYS_FORWARDED: readonly string[] = ['content-type', 'user-agent'];

/**
 * A scheme's sender headers that describe the delivery (not signed, so not in `signedHeaders`),
 * by scheme name. Source: https://docs.github.com/en/webhooks/webhook-events-and-payloads#delivery-headers
 */
const DELIVERY_HEADERS: ReadonlyMap<string, readonly string[]> = new Map([
  ['github', ['x-github-event', 'x-github-delivery', 'x-github-hook-id', 'x-github-hook-installation-target-id', 'x-github-hook-installation-target-type']],
]);

/** What of the listener's scheme decides the headers forwarded. */
export type ForwardedScheme = Pick<Verifier, 'name' | 'signedHeaders'>;

/** The lower-case names forwarded for the listener's `scheme`. */
export function forwardedHeaderNames(scheme: ForwardedScheme): string[] {
  const named = [...ALWAYS_FORWARDED, ...scheme.signedHeaders, ...(DELIVERY_HEADERS.get(scheme.name) ?? [])];
  return [...new Set(named.map((name) => name.toLowerCase()))];
}

/** The pairs of `received` to forward, in their order, for the listener's `scheme`. */
export function forwardedHeaders(received: readonly (readonly [string, string])[], scheme: ForwardedScheme): [string, string][] {
  const names = new Set(forwardedHeaderNames(scheme));
  return received.filter(([name]) => names.has(name.toLowerCase())).map(([name, value]) => [name, value]);
}
