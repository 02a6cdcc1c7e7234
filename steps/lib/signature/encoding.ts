/**
 * Recognising and decoding the encodings signatures and secrets travel in. Lengths are exact
 * (an HMAC-SHA256 is 32 bytes: 64 hex digits or 44 base64 characters), so a truncated or
 * re-encoded value is reported as malformed instead of being compared.
 */
import type { SecretFormat } from './types.ts';

export const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
// 32 bytes are exactly 44 base64 characters, the last one '='.
export const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;
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

/** What a 32-byte signature value looks like, to say "hex where base64 was expected". */
export function describeSha256Encoding(value: string): 'hex' | 'base64' | 'other' {
  if (HEX_SHA256.test(value)) return 'hex';
  if (BASE64_SHA256.test(value)) return 'base64';
  return 'other';
}

/** The HMAC key bytes for `secret`, or undefined when it is not valid in `format`. */
export function secretKey(secret: string, format: SecretFormat = 'utf8'): Buffer | undefined {
  if (format === 'utf8') return Buffer.from(secret, 'utf8');
  const encoded = secret.startsWith(WHSEC_PREFIX) ? secret.slice(WHSEC_PREFIX.length) : secret;
  return isStrictBase64(encoded) ? Buffer.from(encoded, 'base64') : undefined;
}
