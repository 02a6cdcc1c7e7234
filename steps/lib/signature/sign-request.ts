/**
 * Signs a whole request for any scheme: header schemes add headers, Vonage rewrites the body.
 * The sandbox, `npm run verify -- --sign` and the tests use this instead of hand-made signatures.
 *
 * @example
 * const signed = signRequest(findScheme('github')!, { body, secret: 'It\'s a Secret to Everybody' });
 * await fetch(url, { method: 'POST', headers: signed.headers, body: signed.body });
 */
import type { ParameterScheme, Scheme, SignRequestInput, SignedRequest } from './types.ts';

/** The headers, body and URL a sender using `scheme` would send. */
export function signRequest(scheme: Scheme, input: SignRequestInput): SignedRequest {
  if (signsParameters(scheme)) return scheme.signRequest(input);
  return { headers: scheme.sign(input), body: input.body, url: input.url };
}

/** True for a scheme that signs request parameters (Vonage) rather than a header. */
export function signsParameters(scheme: Scheme): scheme is ParameterScheme {
  return 'signRequest' in scheme;
}
