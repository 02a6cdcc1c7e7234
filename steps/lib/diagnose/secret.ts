/**
 * Secret probes: the right secret, but not the same key bytes at both ends: whitespace around it,
 * or one end base64-decoding a `whsec_` secret while the other uses the string as it is.
 */
import type { Candidate } from './types.ts';
import { WHSEC_PREFIX, isStrictBase64, withoutWhsecPrefix, type Verifier, type VerifyInput } from '../signature/index.ts';

/** Candidates that change the secrets (as strings, or as key bytes through `verifyWithKeys`). */
export function* secretCandidates(scheme: Verifier, input: VerifyInput): Generator<Candidate> {
  const { secrets } = input;
  const trimmed = secrets.map((secret) => secret.trim());
  if (trimmed.some((secret, index) => secret !== secrets[index] && secret !== '')) {
    yield {
      code: 'secret_whitespace',
      explanation: 'The signature matches the secret without its surrounding whitespace: the secret configured here has extra spaces or a newline.',
      fix: 'Remove the spaces or newline around the secret (in .env, webhook.json or --secret).',
      input: { ...input, secrets: trimmed },
    };
  }
  for (const suffix of ['\n', '\r\n', ' ']) {
    yield {
      code: 'secret_whitespace',
      explanation: `The signature matches the secret followed by ${JSON.stringify(suffix)}: the sender's copy of the secret has trailing whitespace (often read from a file with a final newline).`,
      fix: 'Remove the trailing whitespace from the secret where the sender is configured, or subscribe again with a clean secret.',
      input: { ...input, secrets: secrets.map((secret) => secret + suffix) },
    };
  }
  if (!scheme.verifyWithKeys) return;

  const encoded = secrets.map(withoutWhsecPrefix);
  if (scheme.secretFormat === 'whsec') {
    // A secret that is not base64 cannot have been decoded by anyone: name that, not the sender.
    const decodable = encoded.every((text) => isStrictBase64(text));
    const [explanation, fix] = decodable
      ? [
          `The signature matches the secret's text used as the key: the sender did not base64-decode the part after "${WHSEC_PREFIX}", as ${scheme.name} requires.`,
          `Have the sender base64-decode the secret after "${WHSEC_PREFIX}" (the Standard Webhooks libraries do), or use the same library at both ends.`,
        ]
      : [
          `The signature matches the secret's text used as the key, and the secret is not a "${WHSEC_PREFIX}<base64>" secret: the sender uses it as text, while ${scheme.name} needs a base64 key.`,
          `Use a "${WHSEC_PREFIX}<base64>" secret at both ends (the Standard Webhooks libraries generate one), or switch this listener to the scheme the sender uses (LISTEN_SCHEME / --scheme).`,
        ];
    // The sender used the text as the key: the whole "whsec_..." string, or the part after the prefix.
    for (const keys of [secrets, encoded]) {
      yield { code: 'secret_not_base64_decoded', explanation, fix, input, keys: keys.map((text) => Buffer.from(text, 'utf8')) };
    }
    return;
  }
  if (encoded.some((text) => isStrictBase64(text))) {
    yield {
      code: 'secret_base64_decoded',
      explanation: `The signature matches the base64-decoded secret: the sender decoded it (as Standard Webhooks does with "${WHSEC_PREFIX}" secrets), but ${scheme.name} uses the secret text as it is.`,
      fix: `Use the secret's text as the HMAC key at both ends, or switch this listener to the scheme the sender uses (LISTEN_SCHEME / --scheme).`,
      input,
      keys: encoded.map((text) => (isStrictBase64(text) ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8'))),
    };
  }
}
