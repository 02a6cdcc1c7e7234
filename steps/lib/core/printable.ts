/**
 * An API answer made safe to print. Bracken's merge answer may echo the webhook secret back (the
 * tutorial says you will see "the JSON payload that you have sent to Bracken"), and a user answer
 * may carry a password field, so both are shortened with redact() before they reach the terminal.
 *
 * @example
 * printable({ target: 'https://x/webhooks', secret: 's3cr3t-long-value' }, ['s3cr3t-long-value'])
 * // '{"target":"https://x/webhooks","secret":"s3cr…(17 chars)"}'
 */
import { redact } from './redact.ts';

/** Field names whose string values are never printed in full, whatever they hold. */
const SENSITIVE_KEY = /pass(word)?|secret|token/i;
/** What redact() produces (the sandbox redacts its own echo): shortening it again would misreport the length. */
const ALREADY_REDACTED = /^(.{0,8}…\(\d+ chars\)|\*+)$/u;

/**
 * Compact JSON of `value` with sensitive fields redacted and every occurrence of `secrets`
 * (wherever it appears, even inside another string) redacted. `(empty body)` for undefined.
 */
export function printable(value: unknown, secrets: readonly string[] = []): string {
  if (value === undefined) return '(empty body)';
  const text = JSON.stringify(value, (key, field: unknown) =>
    typeof field === 'string' && key !== '' && SENSITIVE_KEY.test(key) && !ALREADY_REDACTED.test(field) ? redact(field) : field,
  );
  return scrubText(text, secrets);
}

/** `text` with every occurrence of each of `secrets` (raw or JSON-escaped) replaced by redact(secret). */
export function scrubText(text: string, secrets: readonly string[] = []): string {
  let scrubbed = text;
  for (const secret of secrets) {
    if (secret === '') continue;
    // Raw, and as it appears inside a JSON string (quotes and backslashes escaped).
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1)])) scrubbed = scrubbed.split(form).join(redact(secret));
  }
  return scrubbed;
}
