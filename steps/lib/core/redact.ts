/**
 * Shortens a secret, token or signature for printing: enough to tell two apart, never enough to use.
 *
 * @example
 * redact('eyJhbGciOiJSUzI1NiIs...') // 'eyJh…(812 chars)'
 */
export function redact(value: string | undefined, keep = 4): string {
  if (value === undefined || value === '') return '(none)';
  if (value.length <= keep * 2) return `${'*'.repeat(value.length)}`;
  return `${value.slice(0, keep)}…(${value.length} chars)`;
}
