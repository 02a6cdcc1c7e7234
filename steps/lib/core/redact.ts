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

/** A query or fragment parameter whose value is a credential, by name (`access_token`, `api_key`, `client_secret`, `code`, `sig`). */
const CREDENTIAL_PARAMETER = /secret|password|passwd|^pwd$|token$|apikey$|^key$|^code$|^sig(nature)?$|^auth/;

/**
 * A URL someone else chose (a redirect's Location) as a message may show it: the password of its
 * user info and the value of each parameter named for a credential shortened by `redact`, the rest
 * as written. An identity server that redirects to `…?access_token=eyJ…` must not get the token
 * printed.
 *
 * @example
 * redactUrlSecrets('https://x.example/cb?access_token=eyJhbGciOi.payload.sig&state=7')
 * // 'https://x.example/cb?access_token=eyJh…(26 chars)&state=7'
 */
export function redactUrlSecrets(url: string): string {
  return url
    .replace(/(\/\/[^\s/?#@:]*:)([^\s/?#@]*)@/, (_all, user: string, password: string) => `${user}${redact(password)}@`)
    .replace(/([?&#;])([^=&#;\s]+)=([^&#;\s]*)/g, (all, separator: string, name: string, value: string) => {
      const plain = name.toLowerCase().replace(/[_-]/g, '');
      return value !== '' && CREDENTIAL_PARAMETER.test(plain) ? `${separator}${name}=${redact(value)}` : all;
    });
}
