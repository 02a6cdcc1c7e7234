/**
 * signature: the public face of this folder. Other folders import from here only.
 */
export { bracken } from './bracken.ts';
export { WHSEC_PREFIX, isStrictBase64, reencodeDigests, withoutWhsecPrefix } from './encoding.ts';
export { foldHeaders, headerText, headerValue } from './headers.ts';
export { safeEqual } from './primitives.ts';
export { quoteSent } from './quote-sent.ts';
export { findScheme, listenScheme, schemeNames } from './registry.ts';
export { signRequest, signsParameters } from './sign-request.ts';
export { DEFAULT_TOLERANCE_SEC, formatDuration, nowSeconds } from './timestamp.ts';
export type { Headers, Scheme, SignatureHeaderInfo, Verifier, VerifyInput, VerifyReason } from './types.ts';
