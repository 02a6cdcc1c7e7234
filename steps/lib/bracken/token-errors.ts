/**
 * What went wrong getting a token, in words a person can act on: wrong credentials
 * (TOKEN_INVALID_CLIENT), another refusal (TOKEN_REJECTED), or no answer (TOKEN_UNREACHABLE).
 *
 * @example
 * try { await client.clientCredentialsGrant(oauth) } catch (error) { throw toTokenError(error, config, tokenEndpoint(config)) }
 */
import * as client from 'openid-client';
import { type Config, redactUrlSecrets, scrubText, TOKEN_INVALID_CLIENT, TOKEN_REJECTED, TOKEN_UNREACHABLE, TokenError } from '../core/index.ts';
import { isTimeout, networkErrorCode, SANDBOX_FAILED_HINT, unreachableHint } from './network-errors.ts';
import { waitFor } from './retry-after.ts';

/** Turns what openid-client throws at `where` (the token endpoint) into a TokenError with a next step. */
export function toTokenError(error: unknown, config: Config, where: string): TokenError {
  // One of ours, thrown while reading the answer (token.ts's size limit), wrapped by openid-client.
  if (error instanceof Error && error.cause instanceof TokenError) return error.cause;
  const { status, error: oauthError } = (typeof error === 'object' && error !== null ? error : {}) as { status?: unknown; error?: unknown };
  // IdentityServer answers 400 invalid_client; others answer 401, sometimes with only a challenge header.
  const challenged = status === 401 && error instanceof client.WWWAuthenticateChallengeError;
  if (oauthError === 'invalid_client' || challenged) {
    const why = challenged ? 'HTTP 401 with a WWW-Authenticate challenge' : `invalid_client, HTTP ${String(status)}`;
    return new TokenError(TOKEN_INVALID_CLIENT, `${where} rejected client_id ${JSON.stringify(config.clientId)} or its secret (${why}).`, {
      cause: error,
      hint:
        config.mode === 'sandbox'
          ? 'Check SANDBOX_CLIENT_ID/SANDBOX_CLIENT_SECRET: they must match what the running sandbox was started with.'
          : 'Check BRACKEN_CLIENT_ID and BRACKEN_CLIENT_SECRET in .env: copy them again from Bracken, with no spaces or quotes around them.',
    });
  }
  if (error instanceof client.ResponseBodyError) {
    // A server may quote the request, client_secret included, in its description.
    const description = error.error_description === undefined ? '' : `: ${scrubText(error.error_description, [config.clientSecret])}`;
    return new TokenError(TOKEN_REJECTED, `${where} answered HTTP ${error.status} ${error.error}${description}.`, {
      cause: error,
      hint:
        error.error === 'invalid_scope'
          ? `The scope ${JSON.stringify(config.scope)} is not allowed for this client: fix or remove BRACKEN_SCOPE in .env (Bracken documents "bracken-api-scope").`
          : 'Check BRACKEN_IDENTITY_URL and BRACKEN_SCOPE in .env; the error above comes from the identity server.',
    });
  }
  if (isTimeout(error) || networkErrorCode(error) !== undefined) {
    const what = isTimeout(error) ? `did not answer within ${config.httpTimeoutMs} ms` : `could not be reached (${networkErrorCode(error)})`;
    return new TokenError(TOKEN_UNREACHABLE, `The identity server at ${where} ${what}.`, {
      cause: error,
      hint: unreachableHint(config, 'BRACKEN_IDENTITY_URL'),
    });
  }
  // e.g. a 500 or an HTML page: openid-client keeps the Response as the cause.
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Response && (cause.status >= 500 || cause.status === 429)) {
    const wait = waitFor(cause.headers.get('retry-after'));
    const what = cause.status === 429 ? 'is limiting requests' : 'had a problem';
    return new TokenError(TOKEN_REJECTED, `${where} answered HTTP ${cause.status}: the identity server ${what}.`, {
      cause: error,
      hint:
        config.mode === 'sandbox'
          ? SANDBOX_FAILED_HINT
          : `${wait === undefined ? 'Try again in a moment' : `Wait ${wait} (its Retry-After), then run the step again`}; if it keeps failing, check Bracken's status or ask Bracken support.`,
    });
  }
  if (cause instanceof Response && cause.status >= 300 && cause.status < 400) {
    const location = cause.headers.get('location');
    const pointed = location === null ? 'without a Location' : `redirecting to ${redactUrlSecrets(location)}`;
    return new TokenError(TOKEN_REJECTED, `${where} answered HTTP ${cause.status} ${pointed}; redirects are not followed.`, {
      cause: error,
      hint: `Check BRACKEN_IDENTITY_URL (${config.identityUrl}): it must be the identity server itself, not an address that forwards to it (http instead of https, a proxy). The client secret was not sent to the redirect's address.`,
    });
  }
  const httpStatus = cause instanceof Response ? ` (HTTP ${cause.status})` : '';
  // openid-client's own words are generic ("invalid response encountered"); its cause's message says
  // which field is wrong. Only the message: the cause's own cause holds the body, token included.
  const why = cause instanceof Error && cause.message !== '' ? ` (${cause.message})` : '';
  const detail = error instanceof Error ? `${error.message}${why}` : String(error);
  return new TokenError(TOKEN_REJECTED, `${where} did not return a token: ${detail}${httpStatus}.`, {
    cause: error,
    hint: `Check that BRACKEN_IDENTITY_URL (${config.identityUrl}) is the identity server, not the API.`,
  });
}
