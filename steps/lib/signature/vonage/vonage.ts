/**
 * Vonage (Nexmo) signed SMS webhooks: a `sig` parameter next to the others, over the base string of
 * params.ts, with the algorithm chosen in the Vonage dashboard: `md5hash` (MD5 of base string
 * + secret, the default), or an HMAC keyed with the secret: `md5`, `sha1`, `sha256`, `sha512`.
 * A `timestamp` parameter (Unix seconds) is signed too; this receiver refuses it outside a window
 * (default 5 minutes, the workbench's choice: Vonage says signatures "defend against interception and
 * later replay" but publishes no number).
 *
 * Sources: https://developer.vonage.com/en/getting-started/concepts/signing-messages (seed 004,
 * /work/shared/seeds/004_86bd56b5ad347591.txt, points to it through nexmo-php's `Signature`);
 * Vonage/vonage-node-sdk packages/sms/lib/sms.ts `verifySignature`, Vonage/vonage-php-sdk-core
 * src/Client/Signature.php (md5hash lower-case hex, HMACs upper-case; the comparison ignores case),
 * and the vectors in vonage-node-sdk packages/sms/__tests__/__dataSets__/signature.ts.
 *
 * Supported: parameters in the query string (GET), an `application/x-www-form-urlencoded` body, or a
 * JSON object body with string/number/boolean values (POST-JSON), merged (body wins). Not supported:
 * the Messages API's JWT-signed webhooks, which are a different scheme.
 *
 * Vonage is a `ParameterScheme`: a sender signs the whole request (`signRequest`), since `sig` is a
 * parameter and not a header, so there is no `sign` to call on it.
 */
import { createHash, createHmac } from 'node:crypto';
import { invalidArgument } from '../../core/index.ts';
import { verify as verifyDigest } from '../primitives.ts';
import { quoteSent } from '../quote-sent.ts';
import { isHex, utf8Keys } from '../encoding.ts';
import { nonBlank } from '../headers.ts';
import { fail, lacksKey, noSecret } from '../result.ts';
import { checkWindow, nowSeconds, parseUnixSeconds } from '../timestamp.ts';
import { baseString, parseJsonObject, readParams } from './params.ts';
import type { ParameterScheme, SignRequestInput, SignedRequest, VerifyInput, VerifyResult } from '../types.ts';

const VONAGE_ALGORITHMS = {
  md5hash: { hexLength: 32, label: 'MD5 hash' },
  md5: { hexLength: 32, label: 'MD5 HMAC' },
  sha1: { hexLength: 40, label: 'SHA1 HMAC' },
  sha256: { hexLength: 64, label: 'SHA-256 HMAC' },
  sha512: { hexLength: 128, label: 'SHA-512 HMAC' },
} as const;

type VonageAlgorithm = keyof typeof VONAGE_ALGORITHMS;
const ALGORITHMS = Object.keys(VONAGE_ALGORITHMS) as VonageAlgorithm[];

/** The raw signature bytes for `base` under `key` with `algorithm`. */
function vonageDigest(algorithm: VonageAlgorithm, key: Uint8Array, base: Uint8Array): Buffer {
  return algorithm === 'md5hash' ? createHash('md5').update(base).update(key).digest() : createHmac(algorithm, key).update(base).digest();
}

/** `vonage` guesses the algorithm from the signature's length; `vonage-<algorithm>` insists on one. */
export function vonageScheme(algorithm: VonageAlgorithm | 'auto'): ParameterScheme {
  const pinned = algorithm === 'auto' ? undefined : algorithm;
  const signWith: VonageAlgorithm = pinned ?? 'sha256';

  function verifyWithKeys(input: VerifyInput, keys: readonly Uint8Array[]): VerifyResult {
    const read = readParams(input);
    if (!read.ok) return fail('malformed_body', read.message);
    const sig = nonBlank(read.params.get('sig'));
    if (sig === undefined) {
      return fail('missing_signature', 'No "sig" parameter in the query string or body: this request was not signed.');
    }
    const candidates = ALGORITHMS.filter((name) => VONAGE_ALGORITHMS[name].hexLength === sig.length);
    if (!isHex(sig) || candidates.length === 0) {
      return fail('malformed_signature', 'The "sig" parameter is not the hex of an MD5, SHA1, SHA-256 or SHA-512 digest.');
    }
    if (pinned !== undefined && !candidates.includes(pinned)) {
      const sent = candidates.map((name) => VONAGE_ALGORITHMS[name].label).join(' or ');
      return fail('wrong_scheme', `The "sig" parameter has ${sig.length} hex digits (${sent}), not ${VONAGE_ALGORITHMS[pinned].label}.`);
    }
    const rawTimestamp = nonBlank(read.params.get('timestamp'));
    if (rawTimestamp === undefined) return fail('missing_header', 'No "timestamp" parameter: it is part of what is signed.');
    const timestamp = parseUnixSeconds(rawTimestamp);
    if (timestamp === undefined) return fail('malformed_timestamp', `The "timestamp" parameter ${quoteSent(rawTimestamp)} is not whole Unix seconds.`);
    if (lacksKey(keys)) return noSecret();
    const outside = checkWindow(timestamp, input, 'The "timestamp" parameter');
    if (outside) return outside;

    const base = Buffer.from(baseString(read.params), 'utf8');
    const received = Buffer.from(sig, 'hex');
    for (const name of pinned === undefined ? candidates : [pinned]) {
      const secretIndex = verifyDigest(base, received, keys, (key, message) => vonageDigest(name, Buffer.from(key), Buffer.from(message)));
      if (secretIndex >= 0) return { ok: true, secretIndex };
    }
    return fail('signature_mismatch', 'The "sig" parameter does not match the other parameters under the configured secret(s).');
  }

  function signRequest(input: SignRequestInput): SignedRequest {
    const { body, secret, url } = input;
    const text = Buffer.from(body).toString('utf8');
    const json = text.trimStart().startsWith('{');
    const timestamp = String(nowSeconds(input));
    const render = json ? jsonRenderer(text, timestamp) : formRenderer(text, timestamp);
    const contentType = json ? 'application/json' : 'application/x-www-form-urlencoded';
    const read = readParams({ body: Buffer.from(render(undefined), 'utf8'), headers: { 'content-type': contentType }, url });
    if (!read.ok) throw invalidBody(read.message);
    const digest = vonageDigest(signWith, Buffer.from(secret, 'utf8'), Buffer.from(baseString(read.params), 'utf8')).toString('hex');
    const sig = signWith === 'md5hash' ? digest : digest.toUpperCase(); // as Vonage's PHP library writes them
    return { headers: { 'content-type': contentType }, body: Buffer.from(render(sig), 'utf8'), url };
  }

  return {
    name: pinned === undefined ? 'vonage' : `vonage-${pinned}`,
    description:
      pinned === undefined
        ? 'Vonage SMS: sig parameter over the sorted parameters; MD5 hash or MD5/SHA1/SHA-256/SHA-512 HMAC, told apart by length'
        : `Vonage SMS: sig parameter, ${VONAGE_ALGORITHMS[pinned].label} only`,
    secretFormat: 'utf8',
    // The signature and timestamp are parameters in the body (or the query string), not headers.
    signedHeaders: [],
    verify: (input) => verifyWithKeys(input, utf8Keys(input.secrets)),
    verifyWithKeys,
    timestampOf(input) {
      const read = readParams(input);
      return read.ok ? parseUnixSeconds(nonBlank(read.params.get('timestamp')) ?? '') : undefined;
    },
    signRequest,
  };
}

/** Renders the JSON body with `timestamp` set (unless present) and `sig` replaced. */
function jsonRenderer(text: string, timestamp: string): (sig: string | undefined) => string {
  const object = parseJsonObject(text);
  if (typeof object === 'string') throw invalidBody(object);
  const fields: Record<string, unknown> = { ...object, timestamp: object.timestamp ?? timestamp };
  delete fields.sig;
  return (sig) => JSON.stringify(sig === undefined ? fields : { ...fields, sig });
}

/** Renders the form body with `timestamp` set (unless present) and `sig` replaced. */
function formRenderer(text: string, timestamp: string): (sig: string | undefined) => string {
  const fields = new URLSearchParams(text);
  fields.delete('sig');
  if (!fields.has('timestamp')) fields.set('timestamp', timestamp);
  return (sig) => {
    const copy = new URLSearchParams(fields);
    if (sig !== undefined) copy.set('sig', sig);
    return copy.toString();
  };
}

function invalidBody(reason: string): TypeError {
  return invalidArgument(`"body" cannot be signed: ${reason}`);
}

export const vonage = vonageScheme('auto');
