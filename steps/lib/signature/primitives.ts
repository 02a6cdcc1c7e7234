/**
 * Signature primitives shared by every scheme: HMAC-SHA256 and a timing-safe comparison.
 * Policy (which header, which prefix, which encoding) lives in the scheme files beside this one
 * (bracken.ts, header-hmac.ts, ...).
 *
 * @example
 * const header = `HMACSHA256 ${sign('my-secret', rawBody)}`;
 * verify(rawBody, Buffer.from(received, 'base64'), ['my-secret']); // 0: the first secret matched
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

type Bytes = Uint8Array | string;

/** HMAC-SHA256 of `message` under `key`; strings are taken as UTF-8. */
export function hmacSha256(key: Bytes, message: Bytes): Buffer {
  return createHmac('sha256', key).update(message).digest();
}

/** Base64 HMAC-SHA256 of the exact body bytes: what Bracken puts after `HMACSHA256 `. */
export function sign(secret: Bytes, body: Bytes): string {
  return hmacSha256(secret, body).toString('base64');
}

/**
 * Constant-time equality. `timingSafeEqual` throws on a length mismatch, and length is not
 * secret (every HMAC-SHA256 is 32 bytes), so compare lengths first.
 */
export function safeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Which of `secrets` produced `received` (or one of several received signatures) over `message`:
 * the lowest such index, or -1 when none did. Several secrets let a receiver accept the old and the
 * new one while a secret is rotated. Every secret and every received value is compared, so the
 * time taken does not depend on which one matched. Each secret's digest is computed once: the
 * sender chooses how many signatures it sends, and a digest per signature would hash the message
 * once per entry.
 */
export function verify(
  message: Bytes,
  received: Uint8Array | readonly Uint8Array[],
  secrets: readonly Bytes[],
  digest: (secret: Bytes, message: Bytes) => Uint8Array = hmacSha256,
): number {
  const candidates = received instanceof Uint8Array ? [received] : received;
  let match = -1;
  secrets.forEach((secret, index) => {
    // An empty key is no secret: anyone can compute the HMAC (or MD5 hash) under it.
    if (secret.length === 0) return;
    const expected = digest(secret, message);
    for (const candidate of candidates) if (safeEqual(expected, candidate) && match === -1) match = index;
  });
  return match;
}
