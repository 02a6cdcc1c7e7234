/**
 * Which JSON fields, form parameters and headers hold a value a recording must not keep, by name.
 * Names are matched in any letter case and with or without `_` (`client_secret`, `clientSecret`),
 * because Bracken's API is .NET and its identity server speaks OAuth.
 *
 * @example
 * fieldKind('access_token') // 'access-token'
 * fieldKind('UserName')     // 'username'
 * fieldKind('passed')       // undefined (Module_Complete's flag, not a password)
 */
import type { ValueKind } from './placeholders.ts';

const RULES: readonly (readonly [RegExp, ValueKind])[] = [
  [/^clientsecret$/, 'client-secret'],
  [/^clientid$/, 'client-id'],
  [/password$|^pwd$|^passwd$/, 'password'],
  [/^secret$/, 'webhook-secret'],
  [/secret/, 'secret'],
  // api_key, X-Api-Key, apiKey (not userkey or domainkey, which are ids).
  [/apikey$/, 'secret'],
  // access_token, refresh_token, id_token, authToken: but not token_type.
  [/token$/, 'access-token'],
  [/^username$/, 'username'],
  [/^e?mail$|email/, 'email'],
  [/^(first|last|friendly|display|full|given|family)name$/, 'name'],
  [/^(mobile|phone|phonenumber)$/, 'personal'],
  [/^domainkey$/, 'domainkey'],
  [/^target$/, 'target'],
];

/** The kind of value a field named `key` holds, or undefined when its value is kept (after the text pass). */
export function fieldKind(key: string): ValueKind | undefined {
  const plain = key.toLowerCase().replace(/[_-]/g, '');
  return RULES.find(([pattern]) => pattern.test(plain))?.[1];
}
