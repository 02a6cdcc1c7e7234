/**
 * What keeps the inspector local: core's local-page guard (steps/lib/core/local-guard.ts, shared with
 * the sandbox's delivery log), named for the inspector. It listens on loopback only; every request
 * must name it in its `Host` header, and a replay must come from the inspector's own page with the
 * `X-Workbench-Inspector: replay` header.
 */
import type { IncomingMessage } from 'node:http';
import { checkHost as checkLocalHost, checkSameOrigin as checkLocalOrigin, type Refusal, type SameOriginRule } from '../core/index.ts';

export { allowedHosts, SECURITY_HEADERS, type Refusal } from '../core/index.ts';

/** The page sends `X-Workbench-Inspector: replay` with a replay. */
const REPLAY_RULE: SameOriginRule = {
  action: 'Replay',
  header: 'x-workbench-inspector',
  value: 'replay',
  page: 'the inspector page',
  missingHeaderCode: 'missing_inspector_header',
};

/** Refuses requests whose `Host` is not this inspector: the DNS-rebinding check. */
export function checkHost(req: IncomingMessage, allowed: ReadonlySet<string>): Refusal | undefined {
  return checkLocalHost(req, allowed, 'this inspector');
}

/** Refuses a replay that did not come from the inspector's own page. */
export function checkSameOrigin(req: IncomingMessage, allowed: ReadonlySet<string>): Refusal | undefined {
  return checkLocalOrigin(req, allowed, REPLAY_RULE);
}
