/**
 * Bracken: `Authorization: HMACSHA256 <base64(HMAC-SHA256(secret, body))>`, the secret used
 * as a UTF-8 string (docs.brackenlearning.com/tutorials/authenticate-webhook; shared/bracken-api.md §3).
 * Unlike the tutorial's sample, this hashes the raw bytes and compares in constant time.
 */
import { hmacSha256, sign, verify } from './primitives.ts';
import { BASE64_SHA256, describeSha256Encoding } from './encoding.ts';
import { fail, matchResult, noSecret } from './result.ts';
import { headerValue, type HeaderScheme, type VerifyInput, type VerifyResult } from './types.ts';

export const BRACKEN_SCHEME_WORD = 'HMACSHA256';

function verifyWithKeys({ body, headers }: VerifyInput, keys: readonly Uint8Array[]): VerifyResult {
  const header = headerValue(headers, 'authorization')?.trim();
  if (header === undefined || header === '') {
    return fail('missing_signature', 'No Authorization header: this request was not signed.');
  }
  const [word, value, ...rest] = header.split(/\s+/);
  // Auth scheme words are case-insensitive in HTTP (RFC 9110 §11.1).
  if (word?.toUpperCase() !== BRACKEN_SCHEME_WORD) {
    return fail('wrong_scheme', `The Authorization header starts with ${JSON.stringify(word)}, not "${BRACKEN_SCHEME_WORD}".`);
  }
  if (value === undefined || rest.length > 0 || !BASE64_SHA256.test(value)) {
    const looksHex = value !== undefined && describeSha256Encoding(value) === 'hex' ? ' (it looks like hex)' : '';
    return fail('malformed_signature', `The signature is not the 44-character base64 of a 32-byte HMAC-SHA256${looksHex}.`);
  }
  if (keys.length === 0) return noSecret();
  return matchResult(verify(body, Buffer.from(value, 'base64'), keys, hmacSha256), keys.length);
}

export const bracken: HeaderScheme = {
  name: 'bracken',
  description: 'Authorization: HMACSHA256 <base64 HMAC-SHA256 of the body>',
  signatureHeader: { name: 'authorization', prefix: `${BRACKEN_SCHEME_WORD} `, encoding: 'base64' },
  secretFormat: 'utf8',
  sign: ({ body, secret }) => ({ authorization: `${BRACKEN_SCHEME_WORD} ${sign(secret, body)}` }),
  verify: (input) => verifyWithKeys(input, input.secrets.map((secret) => Buffer.from(secret, 'utf8'))),
  verifyWithKeys,
};
