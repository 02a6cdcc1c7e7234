/**
 * Shortens a secret, token or signature for printing: enough to tell two apart, never enough to use.
 * A value too short to show a part of is printed as `****` whatever its length, so the output does
 * not tell a 5-character secret from an 8-character one.
 *
 * @example
 * redact('eyJhbGciOiJSUzI1NiIs...') // 'eyJh…(812 chars)'
 * redact('12345')                    // '****'
 */
export function redact(value: string | undefined, keep = 4): string {
  if (value === undefined || value === '') return '(none)';
  if (value.length <= keep * 2) return HIDDEN;
  return `${value.slice(0, keep)}…(${value.length} chars)`;
}

/** What a value too short to shorten is printed as: the same four stars for every length. */
export const HIDDEN = '****';
