/**
 * Bearer-token guard for the API routes (RFC 6750 §3): no token → 401 with a bare
 * `WWW-Authenticate: Bearer` challenge; a bad or expired token → 401 with
 * `error="invalid_token"`, as ASP.NET's JwtBearer handler (behind Bracken's API) answers.
 */
import type { RequestHandler, Response } from 'express';
import { ProblemError } from './problem.ts';
import type { TokenClaims, TokenService } from './tokens.ts';

/** Checks the bearer token and keeps its claims for the route (read them with `claimsOf`). */
export function requireBearer(tokens: TokenService): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization')?.trim() ?? '';
    // As ASP.NET's JwtBearer: everything after the scheme is the token, so `Bearer <token> extra`
    // is a token sent (and an invalid one), not a missing one.
    const match = /^bearer\s+(.+)$/i.exec(header);
    if (!match?.[1]) {
      throw new ProblemError(401, 'Unauthorized', {
        detail: 'No access token: send Authorization: Bearer <access_token> (get one from POST /connect/token).',
        headers: { 'WWW-Authenticate': 'Bearer' },
      });
    }
    const check = tokens.check(match[1]);
    if (!check.ok) {
      const description = check.reason === 'expired' ? 'The token expired' : 'The token is invalid';
      throw new ProblemError(401, 'Unauthorized', {
        detail: `${check.message} Get a new one from POST /connect/token.`,
        headers: { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${description}"` },
      });
    }
    res.locals.claims = check.claims;
    next();
  };
}

/** The claims `requireBearer` stored for this request. */
export function claimsOf(res: Response): TokenClaims {
  return res.locals.claims as TokenClaims;
}
