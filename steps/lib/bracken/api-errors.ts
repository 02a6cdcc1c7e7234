/**
 * From a failed Bracken API call to an ApiError a person can act on: a stable code per HTTP
 * status, the server's own words, and a hint. Callers can swap in a hint that fits their step
 * (a 404 means something else when deleting than when subscribing).
 *
 * @example
 * throw apiErrorForStatus({ config, method: 'PUT', url, status: 403, statusText: 'Forbidden', body: '' });
 */
import {
  type Config,
  API_BAD_REQUEST,
  API_BAD_RESPONSE,
  API_CLIENT_ERROR,
  API_CONFLICT,
  API_FORBIDDEN,
  API_NOT_FOUND,
  API_SERVER_ERROR,
  API_TIMEOUT,
  API_UNAUTHORIZED,
  API_UNREACHABLE,
  ApiError,
  type ApiErrorCode,
  redactUrlSecrets,
  scrubText,
} from '../core/index.ts';
import { isTimeout, networkErrorCode, SANDBOX_FAILED_HINT, unreachableHint } from './network-errors.ts';
import { problemText } from './problem-details.ts';
import { waitFor } from './retry-after.ts';

/** Hints a call can override, by HTTP status. */
export type StatusHints = Readonly<Partial<Record<number, string>>>;

export interface FailedCall {
  readonly config: Config;
  readonly method: string;
  readonly url: string;
  /** Values the server may echo (the webhook secret, a password): redacted in the message and body. */
  readonly secrets?: readonly string[];
}

/** Longest part of a server's body quoted in a message; the whole body stays on `ApiError.body`. */
const QUOTE_LIMIT = 300;

/** The ApiError code for an HTTP error status. */
function codeForStatus(status: number): ApiErrorCode {
  if (status === 400) return API_BAD_REQUEST;
  if (status === 401) return API_UNAUTHORIZED;
  if (status === 403) return API_FORBIDDEN;
  if (status === 404) return API_NOT_FOUND;
  if (status === 409) return API_CONFLICT;
  return status >= 500 ? API_SERVER_ERROR : API_CLIENT_ERROR;
}

/**
 * An ApiError for a 4xx or 5xx answer (`body` keeps the server's text, minus `secrets`); the message
 * quotes a problem-details answer in words (problem-details.ts), any other as it came.
 */
export function apiErrorForStatus(
  call: FailedCall & { status: number; statusText: string; body: string; hints?: StatusHints; retryAfter?: string | null },
): ApiError {
  const { config, method, url, status } = call;
  const body = scrubText(call.body, call.secrets);
  const hint = call.hints?.[status] ?? defaultHint(config, status, waitFor(call.retryAfter));
  return new ApiError(codeForStatus(status), `${method} ${url} answered ${status} ${call.statusText}: ${quote(problemText(body) ?? body)}`, {
    status,
    body,
    method,
    url,
    hint,
  });
}

/** An ApiError for a 2xx whose body is not JSON. */
export function apiErrorForBadBody(call: FailedCall & { status: number; body: string; expected: string }): ApiError {
  const { method, url, status } = call;
  const body = scrubText(call.body, call.secrets);
  return new ApiError(API_BAD_RESPONSE, `${method} ${url} answered ${status} but ${call.expected}: ${quote(body)}`, {
    status,
    body,
    method,
    url,
    hint: 'Check that BRACKEN_API_URL points at the Bracken API (not a web page, a proxy or the identity server).',
  });
}

/** An ApiError for a 3xx, which the client does not follow: it says where the redirect pointed. */
export function apiErrorForRedirect(call: FailedCall & { status: number; location: string | null }): ApiError {
  const { config, method, url, status } = call;
  const where = call.location === null ? 'a redirect without a Location' : `redirecting to ${redactUrlSecrets(call.location)}`;
  return new ApiError(API_BAD_RESPONSE, `${method} ${url} answered ${status} ${where}; the workbench does not follow redirects.`, {
    status,
    method,
    url,
    hint: `Check BRACKEN_API_URL (${config.apiUrl}): it must be the API itself, not an address that forwards to it (http instead of https, a login page, a proxy). Nothing was sent to the redirect's address.`,
  });
}

/**
 * An ApiError for a call that got no answer (a timeout, a refused connection, a DNS failure), or,
 * with `answeredStatus`, whose answer broke off after its status line: the request then reached
 * the server, which may have carried it out, and the hint says so.
 */
export function apiErrorForFailure(call: FailedCall & { answeredStatus?: number }, error: unknown): ApiError {
  const { config, method, url, answeredStatus } = call;
  const timedOut = isTimeout(error);
  const cause = networkErrorCode(error) ?? String(error);
  const noAnswer = timedOut ? `got no answer within ${config.httpTimeoutMs} ms` : `could not reach the server (${cause})`;
  const brokenOff = timedOut
    ? `answered ${answeredStatus} but the rest of the answer did not come within ${config.httpTimeoutMs} ms`
    : `answered ${answeredStatus} but the connection broke before the answer ended (${cause})`;
  const what = answeredStatus === undefined ? noAnswer : brokenOff;
  const network = unreachableHint(config, 'BRACKEN_API_URL');
  return new ApiError(timedOut ? API_TIMEOUT : API_UNREACHABLE, `${method} ${url} ${what}.`, {
    ...(answeredStatus === undefined ? {} : { status: answeredStatus }),
    method,
    url,
    cause: error,
    hint: answeredStatus === undefined ? network : `Bracken got the request and may have carried it out: check before you run the step again. ${network}`,
  });
}

/** `wait` is how long the answer's Retry-After asked to wait (`17 s`, `until <date>`), if it said. */
function defaultHint(config: Config, status: number, wait: string | undefined): string {
  switch (status) {
    case 400:
      return 'Bracken rejected the request body; its answer above names the field at fault.';
    case 401:
      return 'A fresh token was refused too: check that this client may use the Public API (BRACKEN_SCOPE; Bracken documents "bracken-api-scope") and that BRACKEN_IDENTITY_URL and BRACKEN_API_URL belong together.';
    case 403:
      return `Client ${config.clientId} may not do this in domainkey ${config.domainkey}: check that BRACKEN_DOMAINKEY belongs to this client (Bracken issues the domainkey, client_id and secret together) and that the client has the permission.`;
    case 404:
      return `Check BRACKEN_API_URL (${config.apiUrl}) and BRACKEN_DOMAINKEY (${config.domainkey}).`;
    case 409:
      // Not only on create: a delete or a merge may clash with Bracken's state too.
      return 'Bracken says this clashes with something that already exists; the answer above says what.';
    case 429:
      return `Bracken is limiting how often this client may call it (429 Too Many Requests): wait ${wait ?? 'a minute'}, then run the step again.`;
    default:
      if (status >= 500) {
        if (config.mode === 'sandbox') return SANDBOX_FAILED_HINT;
        const retry = wait === undefined ? '; try again in a moment' : ` and asked to be retried later: wait ${wait}, then try again`;
        return `Bracken had a problem${retry}. If it keeps failing, send Bracken support the time, method and URL above.`;
      }
      return 'Bracken refused the request; its answer above says why.';
  }
}

function quote(body: string): string {
  const text = body.trim();
  if (text === '') return '(empty body)';
  return text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT)}… (${text.length} chars)` : text;
}
