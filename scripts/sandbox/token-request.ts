/**
 * Reads an OAuth 2.0 token request (RFC 6749 §2.3.1, §3.2, §4.4) into the client's credentials
 * and parameters, or the §5.2 error it deserves. Pure: no I/O, easy to test.
 *
 * Client authentication is either `client_secret_basic` (the Authorization header) or
 * `client_secret_post` (the form), never both. In Basic, the id and secret are form-url-encoded
 * before base64 (§2.3.1): openid-client sends `test-client` as `test%2Dclient`, and IdentityServer
 * (Bracken's identity server) decodes them, so the sandbox does too.
 */

/** The RFC 6749 §5.2 error codes the sandbox answers with. */
export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope';

export interface OAuthError {
  readonly error: OAuthErrorCode;
  readonly description: string;
}

export interface TokenRequest {
  readonly clientId: string;
  readonly clientSecret: string;
  /** How the client authenticated: decides 401 + WWW-Authenticate (basic) or 400 (post) on a bad secret. */
  readonly via: 'basic' | 'post';
  readonly grantType: string | undefined;
  /** Space-separated scopes, or undefined when none were asked for. */
  readonly scope: string | undefined;
}

export type ParsedTokenRequest =
  | { readonly ok: true; readonly request: TokenRequest }
  | ({ readonly ok: false; readonly via: 'basic' | 'post' | 'none' } & OAuthError);

const FORM = /^application\/x-www-form-urlencoded(\s*;|$)/i;

/** Parses the content type, the raw body text and the Authorization header of a token request. */
export function parseTokenRequest(contentType: string | undefined, body: string, authorization: string | undefined): ParsedTokenRequest {
  // `Basic` alone is a Basic attempt too (a client with empty settings): it gets the 401 and challenge.
  const basic = authorization !== undefined && /^basic(\s|$)/i.test(authorization.trim());
  const via = basic ? 'basic' : 'post';
  const fail = (error: OAuthErrorCode, description: string, by: 'basic' | 'post' | 'none' = via): ParsedTokenRequest => ({
    ok: false,
    via: by,
    error,
    description,
  });

  if (!FORM.test(contentType ?? '')) {
    return fail(
      'invalid_request',
      `The token request must be a form (Content-Type: application/x-www-form-urlencoded), not ${JSON.stringify(contentType ?? '(none)')}.`,
    );
  }
  const form = new URLSearchParams(body);
  for (const name of new Set(form.keys())) {
    if (form.getAll(name).length > 1) return fail('invalid_request', `The parameter "${name}" is sent more than once.`);
  }
  const param = (name: string) => {
    const value = form.get(name);
    return value === null || value === '' ? undefined : value;
  };

  let clientId: string;
  let clientSecret: string;
  if (basic) {
    if (param('client_secret') !== undefined) {
      return fail('invalid_request', 'The client authenticated twice (Basic header and client_secret in the form): use one method only.');
    }
    const decoded = decodeBasic(authorization);
    if (decoded === undefined)
      return fail('invalid_client', 'The Basic Authorization header is malformed: expected base64 of "<client_id>:<client_secret>", each form-url-encoded.');
    [clientId, clientSecret] = decoded;
    const formId = param('client_id');
    if (formId !== undefined && formId !== clientId) return fail('invalid_request', 'client_id in the form differs from the one in the Basic header.');
  } else {
    const id = param('client_id');
    const secret = param('client_secret');
    if (id === undefined || secret === undefined) {
      return fail('invalid_client', 'No client credentials: send client_id and client_secret in the form, or an Authorization: Basic header.', 'none');
    }
    [clientId, clientSecret] = [id, secret];
  }
  return { ok: true, request: { clientId, clientSecret, via, grantType: param('grant_type'), scope: param('scope')?.trim() } };
}

/** `Basic base64(urlenc(id):urlenc(secret))` → [id, secret], or undefined when malformed. */
function decodeBasic(header: string | undefined): [string, string] | undefined {
  const encoded = header?.trim().split(/\s+/)[1];
  if (encoded === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return undefined;
  const text = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  return [formDecode(text.slice(0, colon)), formDecode(text.slice(colon + 1))];
}

/**
 * Form-url-decodes as IdentityServer does (`Uri.UnescapeDataString` after '+' → space): an escape
 * that decodes to no UTF-8 text, or a '%' that starts none, stays as it is. Clients that send the
 * secret unencoded (requests' HTTPBasicAuth) thus get in with a '%' in it, as they do at Bracken.
 */
function formDecode(value: string): string {
  return value.replace(/\+/g, ' ').replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}
