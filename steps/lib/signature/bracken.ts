/**
 * Bracken: `Authorization: HMACSHA256 <base64(HMAC-SHA256(secret, body))>`, the secret used
 * as a UTF-8 string (docs.brackenlearning.com/tutorials/authenticate-webhook; shared/bracken-api.md §3).
 * Unlike the tutorial's sample, this hashes the raw bytes and compares in constant time.
 */
import { sign } from './primitives.ts';
import { quoteSent } from './quote-sent.ts';
import { BASE64_SHA256, encodingHint, utf8Keys } from './encoding.ts';
import { headerText } from './headers.ts';
import { fail, matchHmac } from './result.ts';
import type { HeaderScheme, VerifyInput, VerifyResult } from './types.ts';

const BRACKEN_SCHEME_WORD = 'HMACSHA256';

function verifyWithKeys({ body, headers }: VerifyInput, keys: readonly Uint8Array[]): VerifyResult {
  const header = headerText(headers, 'authorization');
  if (header === undefined) {
    return fail('missing_signature', 'No Authorization header: this request was not signed.');
  }
  const [word, value, ...rest] = header.split(/\s+/);
  // Auth scheme words are case-insensitive in HTTP (RFC 9110 §11.1).
  if (word?.toUpperCase() !== BRACKEN_SCHEME_WORD) {
    return fail('wrong_scheme', `The Authorization header starts with ${quoteSent(word ?? '')}, not "${BRACKEN_SCHEME_WORD}".`);
  }
  if (value === undefined || rest.length > 0 || !BASE64_SHA256.test(value)) {
    return fail('malformed_signature', `The signature is not the 44-character base64 of a 32-byte HMAC-SHA256${encodingHint(value ?? '', 'base64')}.`);
  }
  return matchHmac(body, Buffer.from(value, 'base64'), keys);
}

export const bracken: HeaderScheme = {
  name: 'bracken',
  description: 'Authorization: HMACSHA256 <base64 HMAC-SHA256 of the body>',
  signatureHeader: { name: 'authorization', prefix: `${BRACKEN_SCHEME_WORD} `, encoding: 'base64' },
  signedHeaders: ['authorization'],
  secretFormat: 'utf8',
  sign: ({ body, secret }) => ({ authorization: `${BRACKEN_SCHEME_WORD} ${sign(secret, body)}` }),
  verify: (input) => verifyWithKeys(input, utf8Keys(input.secrets)),
  verifyWithKeys,
};
