/**
 * The identity half of the sandbox: what https://identity.brackenlearning.com (an IdentityServer)
 * answers for the client-credentials grant. Discovery document and `POST /connect/token`, with
 * RFC 6749 §5.2 errors, so any standard OAuth 2.0 client works against it unchanged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { TOKEN_PATH } from '../../steps/lib/bracken/index.ts';
import { parseTokenRequest, type OAuthErrorCode } from './token-request.ts';
import type { TokenService } from './tokens.ts';

/** The one scope the Bracken API knows (the tutorial's PHP sample asks for it). */
export const BRACKEN_SCOPE = 'bracken-api-scope';

/** A client-credentials form is well under 1 KB; anything this large is not one. */
const TOKEN_BODY_LIMIT_BYTES = 16 * 1024;

export interface IdentityOptions {
  /** The sandbox origin, e.g. `http://127.0.0.1:4010`: no trailing slash, as IdentityServer's issuer. */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly domainkey: number;
  readonly tokenLifetimeSec: number;
  readonly tokens: TokenService;
  /** The `Host` values that name the sandbox (core's allowedHosts): discovery answers by the one used. */
  readonly allowedHosts: ReadonlySet<string>;
}

/** The discovery metadata (OpenID Connect Discovery / RFC 8414), limited to what is served. */
function discoveryDocument(issuer: string): Record<string, unknown> {
  return {
    issuer,
    token_endpoint: `${issuer}${TOKEN_PATH}`,
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    grant_types_supported: ['client_credentials'],
    scopes_supported: [BRACKEN_SCOPE],
    response_types_supported: ['token'],
  };
}

/** `GET /.well-known/openid-configuration` (and the RFC 8414 twin) and `POST /connect/token`. */
export function identityRouter(options: IdentityOptions): Router {
  const router = express.Router();
  // IdentityServer names itself by the host it was asked at, and OpenID clients (openid-client)
  // refuse metadata whose issuer is not the URL they asked: http://localhost:4010 must get
  // localhost. Only the sandbox's own names are echoed; any other Host gets the sandbox's URL.
  const discovery = (req: Request, res: Response) => {
    const host = req.get('host')?.toLowerCase();
    res.json(discoveryDocument(host !== undefined && options.allowedHosts.has(host) ? `http://${host}` : options.issuer));
  };
  router.get('/.well-known/openid-configuration', discovery);
  router.get('/.well-known/oauth-authorization-server', discovery);

  // Token responses carry credentials: never cache them (RFC 6749 §5.1), errors included. Set
  // first, so that every answer from the endpoint has them, whichever step gives it.
  router.all(TOKEN_PATH, (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    next();
  });
  router.post(TOKEN_PATH, readTokenBody, (req, res) => {
    const body = typeof req.body === 'string' ? req.body : '';
    const parsed = parseTokenRequest(req.get('content-type'), body, req.get('authorization'));
    if (!parsed.ok) return oauthError(res, parsed.error, parsed.description, parsed.via === 'basic');

    const { request } = parsed;
    if (request.clientId !== options.clientId || !sameSecret(request.clientSecret, options.clientSecret)) {
      return oauthError(res, 'invalid_client', `Unknown client "${request.clientId}" or wrong client secret.`, request.via === 'basic');
    }
    if (request.grantType === undefined) return oauthError(res, 'invalid_request', 'grant_type is missing: send grant_type=client_credentials.');
    if (request.grantType !== 'client_credentials') {
      return oauthError(res, 'unsupported_grant_type', `grant_type "${request.grantType}" is not supported: this client may only use client_credentials.`);
    }
    const unknown = (request.scope ?? '').split(' ').filter((s) => s !== '' && s !== BRACKEN_SCOPE);
    if (unknown.length > 0) return oauthError(res, 'invalid_scope', `Unknown scope "${unknown.join(' ')}": ask for "${BRACKEN_SCOPE}" or for no scope.`);

    const { accessToken } = options.tokens.issue({
      clientId: options.clientId,
      domainkey: options.domainkey,
      scope: BRACKEN_SCOPE,
      lifetimeSec: options.tokenLifetimeSec,
    });
    res.json({ access_token: accessToken, token_type: 'Bearer', expires_in: options.tokenLifetimeSec, scope: BRACKEN_SCOPE });
  });

  router.all(TOKEN_PATH, (_req, res) => {
    res.setHeader('Allow', 'POST');
    res.status(405).json({ error: 'invalid_request', error_description: 'The token endpoint only accepts POST.' });
  });
  return router;
}

const parseText = express.text({ type: () => true, limit: TOKEN_BODY_LIMIT_BYTES });

/**
 * Reads the body as text, answering the body parser's failures here as RFC 6749 §5.2
 * `invalid_request`: left to the app's error handler they would be problem+json, which OAuth
 * clients do not read. The status is 400 even for a body too large or in an encoding the sandbox
 * cannot decode (where the parser says 413 or 415): §5.2 prescribes 400 for a malformed request,
 * and the description names the cause.
 */
function readTokenBody(req: Request, res: Response, next: NextFunction): void {
  parseText(req, res, (error?: unknown) => {
    if (error === undefined || error === null) return next();
    oauthError(res, 'invalid_request', unreadableBodyDescription(error));
  });
}

/** What the body parser's `error` means to the client, from its `type` (body-parser's error codes). */
function unreadableBodyDescription(error: unknown): string {
  const { type, charset, encoding, message } = error as { type?: unknown; charset?: unknown; encoding?: unknown; message?: unknown };
  switch (type) {
    case 'entity.too.large':
      return `The request body is larger than ${TOKEN_BODY_LIMIT_BYTES} bytes: a token request is a short form.`;
    case 'charset.unsupported':
      return `The charset ${JSON.stringify(String(charset))} is not supported: send the form as UTF-8 (or leave the charset out).`;
    case 'encoding.unsupported':
      return `The Content-Encoding ${JSON.stringify(String(encoding))} is not supported: send the form uncompressed.`;
    default:
      return `The request body could not be read (${String(message)}): send the form uncompressed, as UTF-8.`;
  }
}

/** RFC 6749 §5.2: 400, or 401 with a challenge when the client tried HTTP Basic and failed. */
function oauthError(res: Response, error: OAuthErrorCode, description: string, triedBasic = false): void {
  if (error === 'invalid_client' && triedBasic) {
    res.setHeader('WWW-Authenticate', 'Basic realm="Bracken sandbox"');
    res.status(401);
  } else {
    res.status(400);
  }
  res.json({ error, error_description: description });
}

/** Constant-time comparison that does not reveal the secret's length either. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
