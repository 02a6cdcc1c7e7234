/**
 * A small client for the Bracken Public API: JSON in and out, `Authorization: Bearer <token>`,
 * a timeout on every call, and one token refresh when the API answers 401 (a cached token may
 * have been revoked, or the clock may be off). Failures are ApiErrors with a code and a hint.
 *
 * It calls the global `fetch` at call time, so tests can intercept it with nock.
 *
 * @example
 * const api = createBrackenApi({ config, state }); // or createBrackenApi(resolveStepDeps(deps)) in a step
 * const { status, data } = await api.mergeWebhook('user_create', { target, secret, active: true });
 */
import { type Config, type State, API_NOT_FOUND, ApiError } from '../core/index.ts';
import { MAX_ANSWER_BYTES, readAnswerText } from './answer-body.ts';
import { apiErrorForBadBody, apiErrorForFailure, apiErrorForRedirect, apiErrorForStatus, type StatusHints } from './api-errors.ts';
import { userCreatePath, userDeletePath, userDeleteRouteHint, webhookMergePath, type UserRouteValues } from './routes.ts';
import { getAccessToken } from './token.ts';

export interface BrackenApiOptions {
  readonly config: Config;
  readonly state: State;
  /** Transport for API and token calls; the global fetch (looked up at call time) when undefined. */
  readonly fetch?: typeof fetch | undefined;
  /** Clock for the token cache, in milliseconds since the epoch; Date.now when undefined. */
  readonly now?: (() => number) | undefined;
}

export interface CallOptions {
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Replaces the default hint for these statuses (e.g. what a 404 means to this step). */
  readonly hints?: StatusHints;
  /** Values the server may echo back (webhook secret, password), redacted in error messages (the bearer token always is). */
  readonly secrets?: readonly string[];
}

/** A 2xx answer: the status, the body as text, and the parsed JSON (undefined for an empty body). */
export interface ApiResult {
  readonly status: number;
  readonly text: string;
  readonly data: unknown;
}

/** The body of a webhook merge, as in the tutorial: `{target, secret, active}`. */
export interface WebhookSubscription {
  readonly target: string;
  readonly secret: string;
  readonly active: boolean;
}

export interface BrackenApi {
  /** `method` `path` (relative to BRACKEN_API_URL) with the bearer token. Throws ApiError. */
  call(method: string, path: string, options?: CallOptions): Promise<ApiResult>;
  /** PUT /api/webhook/merge/domain/{domainkey}/event/{event}. */
  mergeWebhook(event: string, subscription: WebhookSubscription, hints?: StatusHints): Promise<ApiResult>;
  /** POST /api/user/create/domain/{domainkey}. */
  createUser(user: { readonly username: string; readonly password: string }, hints?: StatusHints): Promise<ApiResult>;
  /** The configured delete route (BRACKEN_USER_DELETE_ROUTE) for this user; a 400 or 405 says the route may be wrong. */
  deleteUser(user: Omit<UserRouteValues, 'domainkey'>, hints?: StatusHints): Promise<ApiResult>;
}

export function createBrackenApi(options: BrackenApiOptions): BrackenApi {
  const { config, state } = options;
  const send = options.fetch ?? ((input: string | URL | Request, init?: RequestInit) => globalThis.fetch(input, init));
  const token = async (forceRefresh: boolean): Promise<string> =>
    (await getAccessToken({ config, state, forceRefresh, fetch: options.fetch, now: options.now })).accessToken;

  async function call(method: string, path: string, callOptions: CallOptions = {}): Promise<ApiResult> {
    const url = `${config.apiUrl}${path}`;
    // The bearer tokens sent join them: a server may echo the Authorization header in an error.
    const secrets = [...(callOptions.secrets ?? [])];
    const failed = { config, method, url, secrets };
    const attempt = async (accessToken: string): Promise<{ response: Response; text: string; truncated: boolean }> => {
      secrets.push(accessToken);
      const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${accessToken}` };
      if (callOptions.body !== undefined) headers['content-type'] = 'application/json';
      let response: Response;
      try {
        response = await send(url, {
          method,
          headers,
          ...(callOptions.body === undefined ? {} : { body: JSON.stringify(callOptions.body) }),
          // One deadline for the whole answer, body included: the signal also aborts the body's stream.
          signal: AbortSignal.timeout(config.httpTimeoutMs),
          // fetch would follow a redirect and send the body (a webhook secret, a password) to
          // wherever it points: the API never redirects, so one is reported, not followed.
          redirect: 'manual',
        });
      } catch (error) {
        throw apiErrorForFailure(failed, error);
      }
      try {
        return { response, ...(await readAnswerText(response)) };
      } catch (error) {
        // Unlike no answer at all, this request reached Bracken, which may have carried it out.
        throw apiErrorForFailure({ ...failed, answeredStatus: response.status }, error);
      }
    };

    let { response, text, truncated } = await attempt(await token(false));
    // A 401 may just mean the cached token went stale: get a fresh one and try exactly once more.
    if (response.status === 401) ({ response, text, truncated } = await attempt(await token(true)));
    if (response.status >= 300 && response.status < 400) {
      throw apiErrorForRedirect({ ...failed, status: response.status, location: response.headers.get('location') });
    }
    if (!response.ok) {
      throw apiErrorForStatus({
        ...failed,
        status: response.status,
        statusText: response.statusText,
        body: text,
        retryAfter: response.headers.get('retry-after'),
        ...(callOptions.hints ? { hints: callOptions.hints } : {}),
      });
    }
    if (truncated) {
      const expected = `its body is over ${MAX_ANSWER_BYTES / 1024 / 1024} MiB, so it was not read to the end`;
      throw apiErrorForBadBody({ ...failed, status: response.status, body: text, expected });
    }
    // Bracken does not document every answer's body (the merge's is unknown), so empty is fine.
    if (text.trim() === '') return { status: response.status, text, data: undefined };
    try {
      return { status: response.status, text, data: JSON.parse(text) as unknown };
    } catch {
      throw apiErrorForBadBody({ ...failed, status: response.status, body: text, expected: 'the body is not JSON' });
    }
  }

  return {
    call,
    mergeWebhook: (event, subscription, hints) =>
      call('PUT', webhookMergePath(config.domainkey, event), { body: subscription, secrets: [subscription.secret], ...(hints ? { hints } : {}) }),
    createUser: (user, hints) => call('POST', userCreatePath(config.domainkey), { body: user, secrets: [user.password], ...(hints ? { hints } : {}) }),
    deleteUser: (user, hints) => {
      const route = config.userDeleteRoute;
      const routeHint = userDeleteRouteHint(route);
      return call(route.method, userDeletePath(route, { ...user, domainkey: config.domainkey }), { hints: hints ?? { 400: routeHint, 405: routeHint } });
    },
  };
}

/** The statuses that say the thing to remove is no longer there: 404 Not Found, and 410 Gone (which says so outright). */
export type GoneStatus = 404 | 410;

/**
 * Runs `request` and hands its answer to `onDone`: 'done'. A 404 (API_NOT_FOUND) or a 410 means the
 * thing is already gone, which is what cleaning up wants: that status. Any other error is thrown.
 */
export async function doneOrGone<T>(request: () => Promise<T>, onDone: (answer: T) => void): Promise<'done' | GoneStatus> {
  try {
    onDone(await request());
    return 'done';
  } catch (error) {
    if (error instanceof ApiError && error.code === API_NOT_FOUND) return 404;
    // 410 has no code of its own (it is an API_CLIENT_ERROR); RFC 9110 §15.5.11: "no longer available at the origin server".
    if (error instanceof ApiError && error.status === 410) return 410;
    throw error;
  }
}
