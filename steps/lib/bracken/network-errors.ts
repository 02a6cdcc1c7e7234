/**
 * Telling "the server said no" apart from "the server could not be reached". fetch reports a
 * refused connection as `TypeError: fetch failed` with the system error as its `cause`;
 * openid-client and nock wrap or replace it, so the code is looked for along the cause chain.
 */
import type { Config } from '../core/index.ts';

/** System error codes that mean the request never got an answer. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** The first system error code (e.g. `ECONNREFUSED`) on `error` or its causes, if it is a network one. */
export function networkErrorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e !== null && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** True when `error` (or a cause) is the abort of an `AbortSignal.timeout()`. */
export function isTimeout(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e !== null && typeof e === 'object' && depth < 5; depth++) {
    if ((e as { name?: unknown }).name === 'TimeoutError') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** What to do when the sandbox answered with a 5xx: the failure is in its terminal. */
export const SANDBOX_FAILED_HINT = 'The sandbox failed: its terminal shows why. Restart it with `npm run sandbox`.';

/**
 * What to do when the server behind `variable` did not answer: start the sandbox, or check the
 * address and the network for the real Bracken.
 */
export function unreachableHint(config: Config, variable: 'BRACKEN_IDENTITY_URL' | 'BRACKEN_API_URL'): string {
  if (config.mode === 'bracken') {
    return `Check your network connection and ${variable} in .env; if Bracken is just slow, raise HTTP_TIMEOUT_MS (now ${config.httpTimeoutMs}).`;
  }
  // SANDBOX_PORT=0 is how tests and `npm start` get a free port for a sandbox they start themselves; a step on its own cannot know which one it got.
  if (new URL(variable === 'BRACKEN_IDENTITY_URL' ? config.identityUrl : config.apiUrl).port === '0') {
    return 'SANDBOX_PORT=0 lets `npm run sandbox` pick any free port, which a step cannot know: set SANDBOX_PORT to the port the sandbox printed, or remove it (default 4010).';
  }
  return `Is the local sandbox running on port ${config.sandbox.port}? Start it with \`npm run sandbox\` in another terminal (with the same SANDBOX_PORT), or run the whole walkthrough with \`npm start\`.`;
}
