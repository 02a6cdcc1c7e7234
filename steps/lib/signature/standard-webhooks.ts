/**
 * Standard Webhooks (symmetric, `v1`): three headers, `webhook-id`, `webhook-timestamp` (integer Unix
 * seconds) and `webhook-signature`, a space-separated list of `v1,<base64(HMAC-SHA256(key,
 * "{id}.{timestamp}.{body}"))>` entries (several during a secret rotation; other versions such as
 * `v1a` are skipped). The secret is `whsec_<base64>`; the key is the decoded bytes. Timestamps more
 * than 5 minutes away from the receiver's clock, either way, are refused.
 *
 * Sources: the spec, https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 * ("Signature scheme", "Webhook headers", "Verifying signatures"), and its reference library
 * libraries/javascript/src/index.ts (WEBHOOK_TOLERANCE_IN_SECONDS = 5 * 60; "Message timestamp too
 * old" / "too new"; a version other than v1 is skipped). Its tests publish the vector used in
 * test/signature/standard-webhooks.test.ts (libraries/javascript/src/webhook.test.ts "sign function works").
 */
import { randomBytes } from 'node:crypto';
import { invalidArgument } from '../core/index.ts';
import { hmacSha256, verify as verifyDigest } from './primitives.ts';
import { quoteSent } from './quote-sent.ts';
import { BASE64_SHA256, WHSEC_PREFIX, encodingHint, secretKey } from './encoding.ts';
import { fail, lacksKey, noSecret } from './result.ts';
import { checkWindow, nowSeconds, parseUnixSeconds } from './timestamp.ts';
import { nonBlank } from './headers.ts';
import type { HeaderScheme, Headers, SignInput, VerifyInput, VerifyResult } from './types.ts';

const VERSION = 'v1';

/** The bytes Standard Webhooks signs: `{id}.{timestamp}.` followed by the raw body. */
export function signedContent(id: string, timestamp: number | string, body: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), body]);
}

function verifyWithKeys(input: VerifyInput, keys: readonly Uint8Array[]): VerifyResult {
  const id = joinedLines(input.headers, 'webhook-id');
  const rawTimestamp = joinedLines(input.headers, 'webhook-timestamp');
  const list = joinedLines(input.headers, 'webhook-signature');
  if (list === undefined) {
    return fail('missing_signature', 'No webhook-signature header: this request was not signed.');
  }
  if (id === undefined) return fail('missing_header', 'No webhook-id header: it is part of what is signed.');
  if (rawTimestamp === undefined) {
    return fail('missing_header', 'No webhook-timestamp header: it is part of what is signed.');
  }
  const timestamp = parseUnixSeconds(rawTimestamp);
  if (timestamp === undefined) {
    // ", " is how Node joins a header that came twice: Standard Webhooks sends one timestamp.
    const twice = rawTimestamp.includes(', ') ? ' (it holds comma-separated values, as Node joins a header sent more than once)' : '';
    return fail('malformed_timestamp', `The webhook-timestamp ${quoteSent(rawTimestamp)} is not whole Unix seconds${twice}.`);
  }

  // Node joins a header sent on two lines with ", ": that comma ends no entry (base64 holds none),
  // and the second line's entries count as much as the first's.
  const entries = list.split(/,?\s+/).filter((entry) => entry !== '');
  const v1 = entries.filter((entry) => entry.startsWith(`${VERSION},`)).map((entry) => entry.slice(VERSION.length + 1));
  if (v1.length === 0) {
    // The first few are enough to tell the scheme; the header may hold thousands.
    const first = entries.slice(0, 3).map((entry) => quoteSent(entry.slice(0, 4)));
    const seen = entries.length > first.length ? `${first.join(', ')}, … ${entries.length} in all` : first.join(', ');
    return fail('wrong_scheme', `The webhook-signature header has no "${VERSION},<base64>" entry (entries start ${seen}).`);
  }
  const signatures = v1.filter((value) => BASE64_SHA256.test(value));
  if (signatures.length === 0) {
    const hint = v1.length === 1 ? encodingHint(v1[0] ?? '', 'base64') : '';
    return fail('malformed_signature', `No v1 signature in webhook-signature is the 44-character base64 of an HMAC-SHA256${hint}.`);
  }
  if (lacksKey(keys)) return noSecret();

  const outside = checkWindow(timestamp, input, 'The webhook-timestamp');
  if (outside) return outside;

  const content = signedContent(id, timestamp, input.body); // the number, as the reference library signs it
  const received = signatures.map((signature) => Buffer.from(signature, 'base64'));
  const secretIndex = verifyDigest(content, received, keys, hmacSha256);
  if (secretIndex >= 0) return { ok: true, secretIndex };
  return fail('signature_mismatch', `No v1 signature matches "{id}.{timestamp}.{body}" under the configured secret${keys.length > 1 ? 's' : ''}.`);
}

/**
 * Every line of a header as one string, joined with ", " as Node joins them in `req.headers`: so
 * headers folded from a record (an array per repeated name) read as the listener read them.
 */
function joinedLines(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return nonBlank(typeof value === 'string' ? value : value?.join(', '));
}

/** The key bytes of a `whsec_<base64>` secret; undefined when it is not one (or decodes to nothing). */
function whsecKey(secret: string): Buffer | undefined {
  const key = secretKey(secret, 'whsec');
  return key?.length === 0 ? undefined : key;
}

function verify(input: VerifyInput): VerifyResult {
  const keys: Buffer[] = [];
  for (const [index, secret] of input.secrets.entries()) {
    const key = whsecKey(secret);
    if (key === undefined) {
      return fail('malformed_secret', `Secret #${index + 1} is not a "${WHSEC_PREFIX}<base64>" secret, which Standard Webhooks requires.`);
    }
    keys.push(key);
  }
  return verifyWithKeys(input, keys);
}

function sign(input: SignInput): Record<string, string> {
  const key = whsecKey(input.secret);
  if (key === undefined) {
    throw invalidArgument(`"secret" must be a "${WHSEC_PREFIX}<base64>" secret for Standard Webhooks.`);
  }
  const messageId = input.id ?? `msg_${randomBytes(12).toString('base64url')}`;
  const timestamp = nowSeconds(input);
  const signature = hmacSha256(key, signedContent(messageId, timestamp, input.body)).toString('base64');
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': `${VERSION},${signature}`,
  };
}

export const standardWebhooks: HeaderScheme = {
  name: 'standard-webhooks',
  description: 'webhook-id, webhook-timestamp, webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">, whsec_ secret, 5 min window',
  signatureHeader: { name: 'webhook-signature', prefix: `${VERSION},`, encoding: 'base64', list: true },
  signedHeaders: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
  secretFormat: 'whsec',
  sign,
  verify,
  verifyWithKeys,
  timestampOf: (input) => parseUnixSeconds(joinedLines(input.headers, 'webhook-timestamp') ?? ''),
};
