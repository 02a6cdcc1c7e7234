/**
 * The common shape of most webhook signatures: one header holding an optional prefix and the
 * HMAC-SHA256 of the raw body, hex or base64 encoded, keyed with the secret's UTF-8 bytes.
 * Typeform, TradeLens, Guuru and GitHub are this factory with different settings.
 *
 * @example
 * export const github = headerHmacScheme({
 *   name: 'github', description: '...', header: 'x-hub-signature-256', prefix: 'sha256=', encoding: 'hex',
 * });
 */
import { hmacSha256 } from './primitives.ts';
import { quoteSent } from './quote-sent.ts';
import { BASE64_SHA256, HEX_SHA256, encodingHint, utf8Keys } from './encoding.ts';
import { headerText } from './headers.ts';
import { fail, matchHmac } from './result.ts';
import type { DigestEncoding, HeaderScheme, VerifyInput, VerifyResult } from './types.ts';

interface HeaderHmacOptions {
  readonly name: string;
  readonly description: string;
  /** Lower-case header name. */
  readonly header: string;
  /** The header's name as providers document it, for messages (e.g. `X-Hub-Signature-256`). */
  readonly displayHeader: string;
  /** Text before the encoded signature, e.g. `sha256=`; '' when the header holds only the digest. */
  readonly prefix: string;
  readonly encoding: DigestEncoding;
}

// "sha1=", "sha256=", "v1=": what a prefix looks like when it is not the expected one.
const SOME_PREFIX = /^([A-Za-z][A-Za-z0-9_-]*)=(?=.)/;

/** A HeaderScheme for "one header, optional prefix, HMAC-SHA256 of the raw body". */
export function headerHmacScheme(options: HeaderHmacOptions): HeaderScheme {
  const { header, displayHeader, prefix, encoding } = options;
  const pattern = encoding === 'hex' ? HEX_SHA256 : BASE64_SHA256;
  const encode = (digest: Buffer): string => digest.toString(encoding);

  function verifyWithKeys(input: VerifyInput, keys: readonly Uint8Array[]): VerifyResult {
    const value = headerText(input.headers, header);
    if (value === undefined) {
      return fail('missing_signature', `No ${displayHeader} header: this request was not signed (or the sender has no secret set).`);
    }
    const prefixProblem = checkPrefix(value, prefix, displayHeader);
    if (prefixProblem) return prefixProblem;
    const signature = value.slice(prefix.length);
    if (!pattern.test(signature)) {
      const expected = encoding === 'hex' ? 'the 64-digit hex' : 'the 44-character base64';
      // No digest holds ", ": that is how Node joins a header that came twice (rawHeaders shows both).
      const joined = signature.includes(', ') ? ': it holds comma-separated values, as Node joins a header sent more than once' : '';
      return fail('malformed_signature', `The ${displayHeader} value is not ${expected} of an HMAC-SHA256${encodingHint(signature, encoding)}${joined}.`);
    }
    return matchHmac(input.body, Buffer.from(signature, encoding), keys);
  }

  return {
    name: options.name,
    description: options.description,
    signatureHeader: { name: header, prefix, encoding },
    signedHeaders: [header],
    secretFormat: 'utf8',
    sign: ({ body, secret }) => ({ [header]: `${prefix}${encode(hmacSha256(secret, body))}` }),
    verify: (input) => verifyWithKeys(input, utf8Keys(input.secrets)),
    verifyWithKeys,
  };
}

/** A wrong_scheme failure when the value does not start with `prefix` (or has one when none is expected). */
function checkPrefix(value: string, prefix: string, displayHeader: string): VerifyResult | undefined {
  const found = SOME_PREFIX.exec(value)?.[1];
  if (prefix === '') {
    return found === undefined
      ? undefined
      : fail('wrong_scheme', `The ${displayHeader} value starts with ${quoteSent(`${found}=`)}, but this scheme sends the bare digest with no prefix.`);
  }
  if (value.startsWith(prefix)) return undefined;
  if (found === undefined) return fail('wrong_scheme', `The ${displayHeader} value has no "${prefix}" prefix.`);
  // "SHA256=" is the right algorithm in the wrong case: say so rather than call it another algorithm.
  const why = `${found}=`.toLowerCase() === prefix.toLowerCase() ? 'the prefix must be in lower case' : 'a different algorithm or scheme';
  return fail('wrong_scheme', `The ${displayHeader} value starts with ${quoteSent(`${found}=`)}, not "${prefix}" (${why}).`);
}
