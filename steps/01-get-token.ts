/**
 * Step 1: get an access token.
 *
 * The tutorial's Python files start the same way: "use your information to get authorization to
 * access the API" with OAuth 2.0 client credentials against
 * https://identity.brackenlearning.com/connect/token. Here the token is also cached in the state
 * folder, so steps 2, 4 and 6 reuse it until it (nearly) expires.
 *
 * Run: npm run step:1            (reuses a cached token that is still fresh)
 *      npm run step:1 -- --refresh  (always asks the identity server)
 */
import { resolveStepDeps, type StepDeps, describeTarget, isMain, runStep, readCommandLine, redact, STATE_FILES } from './lib/core/index.ts';
import { EXPIRY_MARGIN_MS, getAccessToken, tokenEndpoint, type AccessToken } from './lib/bracken/index.ts';
import { recordingStep } from './lib/record/index.ts';

export interface GetTokenDeps extends StepDeps {
  /** Ask the identity server even when the cached token is still fresh. */
  refresh?: boolean;
}

/** Gets a token (cached or new), prints it redacted, and returns it. */
export async function getToken(deps: GetTokenDeps = {}): Promise<AccessToken> {
  // Prerequisites: a client_id and client_secret (BRACKEN_CLIENT_ID/BRACKEN_CLIENT_SECRET in .env),
  // or nothing at all for the local sandbox, which has demo credentials.
  const step = resolveStepDeps(deps);
  const { config, state, log, now, next } = step;
  log(describeTarget(config));

  // "use your information to get authorization to access the API"
  let token: AccessToken;
  {
    token = await getAccessToken({ ...step, forceRefresh: deps.refresh === true });
    const scope = config.scope === undefined ? 'no scope, as in the tutorial' : `scope ${config.scope}`;
    log(
      token.source === 'cache'
        ? `Token: reused from ${STATE_FILES.token}, still fresh (npm run step:1 -- --refresh asks for a new one)`
        : `Token: issued by POST ${tokenEndpoint(config)} (grant_type=client_credentials, client_id ${config.clientId}, ${scope})`,
    );
  }

  // What we got: a bearer token, printed only in part, and how long it lasts.
  {
    const seconds = Math.round((token.expiresAt - now()) / 1000);
    log(`Access token: ${redact(token.accessToken)}, expires in ${seconds} s (${new Date(token.expiresAt).toISOString()})`);
    // A token that lives no longer than the margin is never reused: say so rather than promise it.
    const reuse =
      token.expiresAt - now() > EXPIRY_MARGIN_MS
        ? `later steps reuse it until ${EXPIRY_MARGIN_MS / 1000} s before it expires`
        : `it expires within ${EXPIRY_MARGIN_MS / 1000} s, so each later step asks for a new one`;
    log(`Cached in ${state.path(STATE_FILES.token)} (mode 0600); ${reuse}.`);
    next('npm run step:2 (subscribe to the User_Create webhook).');
  }
  return token;
}

if (isMain(import.meta.url)) {
  const options = readCommandLine({
    options: { refresh: { type: 'boolean', default: false } },
    usage: [
      'Usage: npm run step:1 [-- --refresh]',
      'Step 1: gets an access token (OAuth2 client credentials) and caches it in the state folder.',
      '  --refresh    ask the identity server even when the cached token is still fresh',
      '  -h, --help   this help',
    ].join('\n'),
    hint: 'Step 1 takes one option: npm run step:1 -- --refresh',
  });
  if (options !== undefined) await runStep('Step 1: get an access token', () => recordingStep('step:1', () => getToken({ refresh: options.refresh })));
}
