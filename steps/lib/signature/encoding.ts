/**
 * Recognising and decoding the encodings signatures and secrets travel in. Lengths are exact
 * (an HMAC-SHA256 is 32 bytes: 64 hex digits or 44 base64 characters), so a truncated or
 * re-encoded value is reported as malformed instead of being compared.
 */
import type { DigestEncoding, SecretFormat } from './types.ts';

// The 43rd of the 44 base64 characters of 32 bytes carries 6 bits, only the first 4 of them the
// digest's: decoders ignore the other 2, so four spellings decode to one digest. Only the canonical
// one (those 2 bits zero) is taken, so no altered copy of a signature seen once verifies.
const CANONICAL_LAST = 'AEIMQUYcgkosw048';
// One 32-byte digest written out; 32 bytes are exactly 44 base64 characters, the last one '='.
const SHA256_DIGITS: Readonly<Record<DigestEncoding, string>> = { hex: '[0-9a-fA-F]{64}', base64: `[A-Za-z0-9+/]{42}[${CANONICAL_LAST}]=` };
export const HEX_SHA256 = new RegExp(`^${SHA256_DIGITS.hex}$`);
export const BASE64_SHA256 = new RegExp(`^${SHA256_DIGITS.base64}$`);
const HEX = /^[0-9a-fA-F]+$/;
// Canonical, padded base64 (what Node, Python and the Standard Webhooks libraries emit).
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The Standard Webhooks secret prefix (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md). */
export const WHSEC_PREFIX = 'whsec_';

/** True for a non-empty string of hex digits (either case). */
export function isHex(value: string): boolean {
  return HEX.test(value);
}

/** True for non-empty canonical padded base64. */
export function isStrictBase64(value: string): boolean {
  return value !== '' && STRICT_BASE64.test(value);
}

// 44 base64 characters ending in '=' whose 43rd has spare bits set: a 32-byte value, not canonically written.
const NONCANONICAL_BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;

/** What a 32-byte signature value looks like, to say "hex where base64 was expected". */
function describeSha256Encoding(value: string): DigestEncoding | 'non-canonical base64' | 'other' {
  if (HEX_SHA256.test(value)) return 'hex';
  if (BASE64_SHA256.test(value)) return 'base64';
  if (NONCANONICAL_BASE64_SHA256.test(value)) return 'non-canonical base64';
  return 'other';
}

/**
 * " (it looks like hex)" when a malformed `value` is a digest in the other encoding, or the
 * base64 of 32 bytes with the spare bits of its last character set; '' otherwise.
 */
export function encodingHint(value: string, expected: DigestEncoding): string {
  const seen = describeSha256Encoding(value);
  if (seen === 'non-canonical base64') {
    return expected === 'base64' ? ` (it is not canonical base64: the character before the "=" must be one of ${CANONICAL_LAST})` : ' (it looks like base64)';
  }
  return seen !== 'other' && seen !== expected ? ` (it looks like ${seen})` : '';
}

/** `text` with every 32-byte digest written in `from` rewritten in `to` (the same bytes). */
export function reencodeDigests(text: string, from: DigestEncoding, to: DigestEncoding): string {
  // A hex run longer than 64 digits is not one digest: hex needs word boundaries, base64 ends in '='.
  const digests = new RegExp(from === 'hex' ? `\\b${SHA256_DIGITS.hex}\\b` : SHA256_DIGITS.base64, 'g');
  return text.replace(digests, (digest) => Buffer.from(digest, from).toString(to));
}

/** The secret without its `whsec_` prefix (unchanged when it has none). */
export function withoutWhsecPrefix(secret: string): string {
  return secret.startsWith(WHSEC_PREFIX) ? secret.slice(WHSEC_PREFIX.length) : secret;
}

/** The HMAC key bytes for `secret`, or undefined when it is not valid in `format`. */
export function secretKey(secret: string, format: SecretFormat = 'utf8'): Buffer | undefined {
  if (format === 'utf8') return Buffer.from(secret, 'utf8');
  const encoded = withoutWhsecPrefix(secret);
  return isStrictBase64(encoded) ? Buffer.from(encoded, 'base64') : undefined;
}

/** Each secret's UTF-8 bytes: the keys of every scheme whose secret is used as it is. */
export function utf8Keys(secrets: readonly string[]): Buffer[] {
  return secrets.map((secret) => Buffer.from(secret, 'utf8'));
}
