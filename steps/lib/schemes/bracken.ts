/**
 * Bracken: `Authorization: HMACSHA256 <base64(HMAC-SHA256(secret, body))>`, the secret used
 * as a UTF-8 string (docs.brackenlearning.com/tutorials/authenticate-webhook; shared/bracken-api.md §3).
 * Unlike the tutorial's sample, this hashes the raw bytes and compares in constant time.
 */
import { sign, verify } from '../signature.ts';
import { headerValue, type Scheme, type VerifyResult } from './types.ts';

export const BRACKEN_SCHEME_WORD = 'HMACSHA256';
// 32 HMAC bytes are exactly 44 base64 characters, the last one '='.
const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;

export const bracken: Scheme = {
  name: 'bracken',
  description: 'Authorization: HMACSHA256 <base64 HMAC-SHA256 of the body>',
  sign: ({ body, secret }) => ({ authorization: `${BRACKEN_SCHEME_WORD} ${sign(secret, body)}` }),
  verify({ body, headers, secrets }): VerifyResult {
    const header = headerValue(headers, 'authorization')?.trim();
    if (header === undefined || header === '') {
      return { ok: false, reason: 'missing_signature', message: 'No Authorization header: this request was not signed.' };
    }
    const [word, value, ...rest] = header.split(/\s+/);
    // Auth scheme words are case-insensitive in HTTP (RFC 9110 §11.1).
    if (word?.toUpperCase() !== BRACKEN_SCHEME_WORD) {
      return {
        ok: false,
        reason: 'wrong_scheme',
        message: `The Authorization header starts with ${JSON.stringify(word)}, not "${BRACKEN_SCHEME_WORD}".`,
      };
    }
    if (value === undefined || rest.length > 0 || !BASE64_SHA256.test(value)) {
      return {
        ok: false,
        reason: 'malformed_signature',
        message: 'The signature is not the 44-character base64 of a 32-byte HMAC-SHA256.',
      };
    }
    if (secrets.length === 0) return { ok: false, reason: 'no_secret', message: 'No secret is configured to verify with.' };
    const secretIndex = verify(body, Buffer.from(value, 'base64'), secrets);
    return secretIndex >= 0
      ? { ok: true, secretIndex }
      : {
          ok: false,
          reason: 'signature_mismatch',
          message: 'The signature does not match the body under any configured secret.',
        };
  },
};
