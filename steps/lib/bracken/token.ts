/**
 * An OAuth 2.0 access token from Bracken's identity server (client credentials grant, as in the
 * tutorial's `oauth.fetch_token(...)`), cached in the state folder so later steps reuse it.
 *
 * @example
 * const token = await getAccessToken({ config, state });
 * await fetch(url, { headers: { authorization: `Bearer ${token.accessToken}` } });
 */
import { isLoopbackUrl, type Config, StateError, type State, TOKEN_REJECTED, TokenError, type TokenState } from '../core/index.ts';
import { MAX_ANSWER_BYTES, readAnswerText } from './answer-body.ts';
import { TOKEN_PATH } from './routes.ts';

/** A cached token counts as expired this long before it really does, so it never dies mid-request. */
export const EXPIRY_MARGIN_MS = 30_000;
/** Lifetime assumed when the identity server sends no `expires_in` (IdentityServer always does). */
const DEFAULT_TOKEN_LIFETIME_SEC = 300;
/**
 * The longest lifetime the cache believes (IdentityServer's default is 3600 s; the sandbox's
 * SANDBOX_TOKEN_LIFETIME goes up to a week, so step 1 tells its lifetime as it is). A larger
 * `expires_in` (a broken server's 1e300 overflowed the date and crashed step 1) is cut to this;
 * a token that dies sooner is replaced on the API's 401 anyway.
 */
const MAX_TOKEN_LIFETIME_SEC = 7 * 24 * 3600;
/** What a bearer token may hold: printable ASCII without spaces (RFC 6750's b64token is a subset). */
const BEARER_TOKEN = /^[\x21-\x7e]+$/;

export interface TokenOptions {
  readonly config: Config;
  readonly state: State;
  /** Ignore the cache and ask the identity server (after a 401, or `npm run step:1 -- --refresh`). */
  readonly forceRefresh?: boolean;
  /** Transport for the token request; the global fetch when undefined. */
  readonly fetch?: typeof fetch | undefined;
  /** Clock in milliseconds since the epoch; Date.now when undefined. */
  readonly now?: (() => number) | undefined;
}

/** A token plus where it came from: the cache in token.json, or a fresh request. */
export interface AccessToken extends TokenState {
  readonly source: 'cache' | 'identity';
}

/** The token endpoint URL for `config`. */
export function tokenEndpoint(config: Config): string {
  return `${config.identityUrl}${TOKEN_PATH}`;
}

/** A cached token that is still usable, or a new one (which is then cached in token.json, mode 0600). */
export async function getAccessToken(options: TokenOptions): Promise<AccessToken> {
  const { config, state, now = Date.now } = options;
  if (options.forceRefresh !== true) {
    // A cache that cannot be read, or is not a token (STATE_CORRUPT), is just a miss: the new token overwrites it.
    const cached = await state.read('token').catch((error: unknown) => {
      if (error instanceof StateError) return undefined;
      throw error;
    });
    if (cached !== undefined && isReusable(cached, config, now())) return { ...cached, source: 'cache' };
  }
  const token = await requestToken(options);
  await state.write('token', token);
  return { ...token, source: 'identity' };
}

/**
 * True when `cached` (a well-formed token.json) is a token for this identity server, client and
 * scope that still has more than EXPIRY_MARGIN_MS to live, and no more than MAX_TOKEN_LIFETIME_SEC.
 * A token for another client would act as someone else: not reusable, though nothing is wrong with the file.
 */
function isReusable(cached: TokenState, config: Config, now: number): boolean {
  return (
    cached.accessToken !== '' &&
    cached.expiresAt - EXPIRY_MARGIN_MS > now &&
    cached.expiresAt <= now + MAX_TOKEN_LIFETIME_SEC * 1000 &&
    cached.identityUrl === config.identityUrl &&
    cached.clientId === config.clientId &&
    // JSON drops `scope: undefined`, so a token without a scope reads back without one.
    cached.scope === config.scope
  );
}

/** Asks the identity server for a token (no cache). Throws TokenError. */
async function requestToken(options: Omit<TokenOptions, 'state'>): Promise<TokenState> {
  const { config, now = Date.now } = options;
  // Loaded here, not at the top: a step that finds a cached token never needs openid-client (or jose).
  const client = await import('openid-client');
  const oauth = new client.Configuration(
    { issuer: config.identityUrl, token_endpoint: tokenEndpoint(config) },
    config.clientId,
    undefined,
    // client_secret_post: client_id and client_secret in the form body, like the tutorial's Python sample.
    client.ClientSecretPost(config.clientSecret),
  );
  // Plain http only for the local sandbox; the real identity server is https.
  if (isLoopbackUrl(config.identityUrl)) client.allowInsecureRequests(oauth);
  oauth.timeout = config.httpTimeoutMs / 1000; // openid-client counts seconds
  const send = options.fetch ?? ((url: string, init: RequestInit) => globalThis.fetch(url, init));
  // openid-client's options are a RequestInit in all but name (its body type allows undefined).
  oauth[client.customFetch] = async (url, init) => cappedAnswer(await send(url, init as RequestInit), config);

  let response: Awaited<ReturnType<typeof client.clientCredentialsGrant>>;
  try {
    // The tutorial sends no scope; send one only when BRACKEN_SCOPE asks for it.
    response = await client.clientCredentialsGrant(oauth, config.scope === undefined ? {} : { scope: config.scope });
  } catch (error) {
    throw (await import('./token-errors.ts')).toTokenError(error, config, tokenEndpoint(config));
  }
  // Cached and sent as `Bearer <token>` by every later call, where fetch would refuse it (a line
  // break, a character past Latin-1) and quote it in full, or the API would misread it (a space).
  if (!BEARER_TOKEN.test(response.access_token)) {
    throw new TokenError(
      TOKEN_REJECTED,
      `${tokenEndpoint(config)} returned an access_token that cannot be sent in an Authorization header: it has characters other than printable ASCII (${response.access_token.length} chars).`,
      { hint: `Check that BRACKEN_IDENTITY_URL (${config.identityUrl}) is Bracken's identity server; its tokens are JWTs.` },
    );
  }
  return {
    accessToken: response.access_token,
    // The raw expires_in against our clock: openid-client's expiresIn() counts down on the real
    // clock, so it can read a second short and ignores an injected `now`.
    expiresAt: now() + Math.min(typeof response.expires_in === 'number' ? response.expires_in : DEFAULT_TOKEN_LIFETIME_SEC, MAX_TOKEN_LIFETIME_SEC) * 1000,
    identityUrl: config.identityUrl,
    clientId: config.clientId,
    scope: config.scope,
  };
}

/**
 * `response` with its body read to at most MAX_ANSWER_BYTES, for openid-client to parse. A longer
 * answer (a token response is a few KiB) would be held in memory, cached in token.json and sent
 * on every API call: it is refused with a TokenError, which toTokenError passes through.
 */
async function cappedAnswer(response: Response, config: Config): Promise<Response> {
  const { text, truncated } = await readAnswerText(response);
  if (truncated) {
    throw new TokenError(
      TOKEN_REJECTED,
      `${tokenEndpoint(config)} answered HTTP ${response.status} with a body over ${MAX_ANSWER_BYTES / 1024 / 1024} MiB; the workbench stopped reading it.`,
      {
        hint: `Check that BRACKEN_IDENTITY_URL (${config.identityUrl}) is the identity server: a token answer is a few KiB.`,
      },
    );
  }
  // new Response() refuses any body, even an empty one, for these statuses.
  const nullBody = [101, 204, 205, 304].includes(response.status);
  return new Response(nullBody ? null : text, { status: response.status, statusText: response.statusText, headers: response.headers });
}
