/**
 * What keeps the inspector local. It listens on loopback only, but a web page in the same
 * browser can still reach 127.0.0.1: so every request must name this server in its `Host`
 * header (a DNS-rebinding page sends its own host name), and a replay must come from the
 * inspector's own page (same origin, with a custom header a cross-site form cannot add and a
 * cross-site `fetch` cannot send without a CORS preflight this server never approves).
 */
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { INSPECTOR_CSP } from './assets/page.ts';

/** The header the page sends with a replay or a Retry now; its value must name the action (`replay`, `retry`). */
const REPLAY_HEADER = 'x-workbench-inspector';

/** Headers on every answer: the page's CSP, no sniffing, no framing, no caching, no referrer. */
export const SECURITY_HEADERS: Readonly<OutgoingHttpHeaders> = Object.freeze({
  'content-security-policy': INSPECTOR_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
});

/** A refusal: HTTP status, stable code and a sentence for the `{error, code}` body. */
export interface Refusal {
  readonly status: number;
  readonly code: string;
  readonly error: string;
}

/** The `Host` header values (lower-case) that name this server when it listens on `host:port`. */
export function allowedHosts(host: string, port: number): ReadonlySet<string> {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]', host.includes(':') ? `[${host}]` : host]);
  return new Set(Array.from(names, (name) => `${name}:${port}`));
}

/** Refuses requests whose `Host` is not this server: the DNS-rebinding check. */
export function checkHost(req: IncomingMessage, allowed: ReadonlySet<string>): Refusal | undefined {
  const host = req.headers.host?.toLowerCase();
  if (host !== undefined && allowed.has(host)) return undefined;
  return {
    status: 403,
    code: 'bad_host',
    error: `Host ${JSON.stringify(req.headers.host ?? '')} is not this inspector; open it at http://127.0.0.1 or http://localhost with its port.`,
  };
}

/** Refuses a replay (or a Retry now) that did not come from the inspector's own page. */
export function checkSameOrigin(req: IncomingMessage, allowed: ReadonlySet<string>, action: 'replay' | 'retry' = 'replay'): Refusal | undefined {
  const what = action === 'replay' ? 'Replay' : 'Retry now';
  const origin = req.headers.origin;
  if (origin !== undefined && !Array.from(allowed).some((host) => origin.toLowerCase() === `http://${host}`)) {
    return { status: 403, code: 'cross_site', error: `${what} refused: requests from ${origin} are not allowed.` };
  }
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') {
    return { status: 403, code: 'cross_site', error: `${what} refused: the request came from a ${site} page.` };
  }
  if (req.headers[REPLAY_HEADER] !== action) {
    return {
      status: 403,
      code: 'missing_inspector_header',
      error: `${what} refused: send the ${REPLAY_HEADER}: ${action} header (the inspector page does).`,
    };
  }
  return undefined;
}
