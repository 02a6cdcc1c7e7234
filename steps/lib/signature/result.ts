/**
 * Small constructors for `VerifyResult`, so every scheme words its outcomes the same way.
 *
 * @example
 * return fail('missing_signature', 'No Typeform-Signature header: this request was not signed.');
 */
import { verify } from './primitives.ts';
import type { VerifyReason, VerifyResult } from './types.ts';

/** A failed verification with a stable reason code and one sentence for people. */
export function fail(reason: VerifyReason, message: string): VerifyResult {
  return { ok: false, reason, message };
}

/**
 * The last check of the one-header schemes: no_secret without keys, else whether the HMAC-SHA256
 * of `body` under one of `keys` is the `received` digest.
 */
export function matchHmac(body: Uint8Array, received: Uint8Array, keys: readonly Uint8Array[]): VerifyResult {
  if (lacksKey(keys)) return noSecret();
  return matchResult(verify(body, received, keys), keys.length);
}

/** The outcome of comparing against every secret: `secretIndex` from primitives.ts's `verify` (-1: none matched). */
function matchResult(secretIndex: number, secretCount: number): VerifyResult {
  if (secretIndex >= 0) return { ok: true, secretIndex };
  const which = secretCount === 1 ? 'the configured secret' : `any of the ${secretCount} configured secrets`;
  return fail('signature_mismatch', `The signature does not match the body under ${which}.`);
}

/** True when there is no key to verify with: none, or only empty ones (primitives.ts's `verify` skips those). */
export function lacksKey(keys: readonly Uint8Array[]): boolean {
  return !keys.some((key) => key.length > 0);
}

/** The no-secret failure, shared so the wording (and the fix) is the same everywhere. */
export function noSecret(): VerifyResult {
  return fail('no_secret', 'No secret is configured to verify with (set WEBHOOK_SECRET, or run step 2).');
}
