/**
 * Reading request headers the way every scheme does: by lower-case name, the first value when a
 * header came twice, and surrounding whitespace not part of the value.
 *
 * @example
 * headerText({ authorization: '  HMACSHA256 abc=  ' }, 'Authorization') // 'HMACSHA256 abc='
 * foldHeaders([['X-A', '1'], ['x-a', '2']]) // { 'x-a': ['1', '2'] }
 */
import type { Headers } from './types.ts';

/** The single value of a header; undefined when absent, the first when sent twice. */
export function headerValue(headers: Headers, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return typeof value === 'string' ? value : value?.[0];
}

/** The header's value without surrounding whitespace; undefined when it is absent or blank. */
export function headerText(headers: Headers, name: string): string | undefined {
  return nonBlank(headerValue(headers, name));
}

/** `value` without surrounding whitespace; undefined when it is absent or blank. */
export function nonBlank(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** Name/value pairs folded into lower-case names, a repeated header as an array (as Node's `req.headers`). */
export function foldHeaders(pairs: Iterable<readonly [string, string]>): Headers {
  // A Map, not an object literal: the names are the sender's, and `headers["__proto__"] = v` on a
  // literal sets its prototype, while `headers["constructor"]` reads Object before any is stored.
  const headers = new Map<string, string | string[]>();
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    const previous = headers.get(key);
    headers.set(key, previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value]);
  }
  return Object.fromEntries(headers); // defines own properties, "__proto__" included
}
