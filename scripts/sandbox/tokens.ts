/**
 * The sandbox's access tokens: JWTs (HS256) like the `eyJ...` tokens Bracken's IdentityServer
 * issues, signed with a random key kept in the sandbox store. Keeping the key in the store (not
 * in memory) means a token cached by step 1 still works after the sandbox restarts.
 *
 * Bracken signs with RS256 and publishes keys; nothing in the tutorial validates the token on the
 * client side, so a symmetric key that only the sandbox knows is enough here.
 *
 * @example
 * const tokens = createTokenService({ key, issuer: 'http://127.0.0.1:4010', holder: { clientId: 'demo', domainkey: 15435 } });
 * const { accessToken } = tokens.issue({ clientId: 'demo', domainkey: 15435, scope: 'bracken-api-scope', lifetimeSec: 3600 });
 * tokens.check(accessToken); // { ok: true, claims: {...} }
 */
import { createHmac, randomBytes } from 'node:crypto';
import { safeEqual } from '../../steps/lib/signature/index.ts';

export interface TokenClaims {
  readonly iss: string;
  readonly client_id: string;
  readonly domainkey: number;
  readonly scope: string;
  /** Seconds since the epoch, with a fraction: a 1 s lifetime must mean 1 s, not "up to 2 s". */
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
}

export type TokenCheck =
  | { readonly ok: true; readonly claims: TokenClaims }
  | { readonly ok: false; readonly reason: 'malformed' | 'bad_signature' | 'wrong_issuer' | 'wrong_client' | 'expired'; readonly message: string };

export interface TokenService {
  issue(input: { clientId: string; domainkey: number; scope: string; lifetimeSec: number }): { accessToken: string; claims: TokenClaims };
  check(token: string): TokenCheck;
}

/** A new signing key: 32 random bytes, base64url. */
export function newSigningKey(): string {
  return randomBytes(32).toString('base64url');
}

/** Three base64url parts and nothing else (a space, a quote or a fourth part is no token of ours). */
const JWS_COMPACT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'at+jwt' })).toString('base64url');

/** The one client the sandbox serves now: a token issued to another is refused. */
export interface TokenHolder {
  readonly clientId: string;
  readonly domainkey: number;
}

/**
 * Issues and checks tokens for `issuer`, signed with `key` (base64url), held by `holder`; `now` is
 * injectable for tests. The key outlives a restart (it is in the store) while SANDBOX_CLIENT_ID and
 * SANDBOX_DOMAINKEY may change across one: a token for the client of before is refused, as
 * Bracken refuses a token for a client it no longer has, rather than acting on a domain that is gone.
 */
export function createTokenService(options: { key: string; issuer: string; holder: TokenHolder; now?: () => number }): TokenService {
  const key = Buffer.from(options.key, 'base64url');
  const now = options.now ?? Date.now;
  const mac = (signingInput: string) => createHmac('sha256', key).update(signingInput).digest();

  return {
    issue({ clientId, domainkey, scope, lifetimeSec }) {
      const iat = now() / 1000;
      const claims: TokenClaims = {
        iss: options.issuer,
        client_id: clientId,
        domainkey,
        scope,
        iat,
        exp: iat + lifetimeSec,
        jti: randomBytes(16).toString('base64url'),
      };
      const signingInput = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
      return { accessToken: `${signingInput}.${mac(signingInput).toString('base64url')}`, claims };
    },

    check(token) {
      const [header, payload, signature] = token.split('.');
      if (!JWS_COMPACT.test(token) || header !== HEADER || payload === undefined || signature === undefined) {
        return { ok: false, reason: 'malformed', message: 'The access token is not a token this sandbox issued.' };
      }
      // Verify before parsing anything: the payload is untrusted until the MAC matches. The
      // signature's text is compared, not its decoded bytes: Node's base64url decoder skips '=' and
      // stray characters and ignores the last character's spare bits, so other spellings of one
      // signature would pass, and a token altered that way is still an altered token.
      if (!safeEqual(Buffer.from(mac(`${header}.${payload}`).toString('base64url')), Buffer.from(signature))) {
        return { ok: false, reason: 'bad_signature', message: 'The access token signature is invalid (issued by another sandbox, or altered).' };
      }
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
      if (claims.iss !== options.issuer) {
        return { ok: false, reason: 'wrong_issuer', message: `The access token was issued by ${claims.iss}, not ${options.issuer}.` };
      }
      const { holder } = options;
      if (claims.client_id !== holder.clientId || claims.domainkey !== holder.domainkey) {
        return {
          ok: false,
          reason: 'wrong_client',
          message: `The access token was issued to client ${JSON.stringify(claims.client_id)} for domain ${claims.domainkey}; this sandbox now serves client ${JSON.stringify(holder.clientId)}, domain ${holder.domainkey}.`,
        };
      }
      if (now() / 1000 >= claims.exp) {
        return { ok: false, reason: 'expired', message: `The access token expired at ${new Date(claims.exp * 1000).toISOString()}.` };
      }
      return { ok: true, claims };
    },
  };
}
