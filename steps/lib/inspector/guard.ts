/**
 * What keeps the inspector local: core's local-page guard (steps/lib/core/local-guard.ts, shared with
 * the sandbox's delivery log), named for the inspector. It listens on loopback only; every request
 * must name it in its `Host` header, the API answers only its own page (or a typed address), and
 * a replay or a Retry now must come from the inspector's own page, with the
 * `X-Workbench-Inspector` header naming the action (`replay`, `retry`).
 */
import type { IncomingMessage } from 'node:http';
import { checkHost as checkLocalHost, checkSameOrigin as checkLocalOrigin, type Refusal, type SameOriginRule } from '../core/index.ts';

export { allowedHosts, SECURITY_HEADERS, type Refusal } from '../core/index.ts';

/** What the page sends with each action: `X-Workbench-Inspector: replay` or `: retry`. */
const RULES: Readonly<Record<'replay' | 'retry', SameOriginRule>> = {
  replay: { action: 'Replay', header: 'x-workbench-inspector', value: 'replay', page: 'the inspector page', missingHeaderCode: 'missing_inspector_header' },
  retry: { action: 'Retry now', header: 'x-workbench-inspector', value: 'retry', page: 'the inspector page', missingHeaderCode: 'missing_inspector_header' },
};

/** Refuses requests whose `Host` is not this inspector: the DNS-rebinding check. */
export function checkHost(req: IncomingMessage, allowed: ReadonlySet<string>): Refusal | undefined {
  return checkLocalHost(req, allowed, 'this inspector');
}

/** Refuses a replay (or a Retry now) that did not come from the inspector's own page. */
export function checkSameOrigin(req: IncomingMessage, allowed: ReadonlySet<string>, action: 'replay' | 'retry' = 'replay'): Refusal | undefined {
  return checkLocalOrigin(req, allowed, RULES[action]);
}

/**
 * Refuses an API read another site's page asked for (`Sec-Fetch-Site: cross-site` or `same-site`):
 * it could not read the answer, but its blind GETs still cost a list of 1000 deliveries or a body,
 * in the listener's process. The page's own requests are `same-origin`; a typed address or a tool
 * that sends no such header is let through.
 */
export function checkReadSite(req: IncomingMessage, pathname: string): Refusal | undefined {
  const site = req.headers['sec-fetch-site'];
  if (site === undefined || site === 'same-origin' || site === 'none') return undefined;
  return { status: 403, code: 'cross_site', error: `Refused: ${pathname} answers only the inspector's own page, not a request from a ${site} page.` };
}
