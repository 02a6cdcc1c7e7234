/**
 * foldHeaders(): name/value pairs as received (a captured delivery's rawHeaders, npm run verify's
 * --header) folded the way Node folds req.headers. The names are the sender's, so a name such as
 * __proto__ or constructor must be kept as a header like any other.
 */
import { describe, expect, it } from 'vitest';
import { foldHeaders, headerValue } from '../../steps/lib/signature/headers.ts';

describe('foldHeaders', () => {
  it('folds names to lower case and a repeated header into a list', () => {
    expect({
      ...foldHeaders([
        ['X-A', '1'],
        ['x-a', '2'],
        ['Authorization', 'HMACSHA256 abc='],
      ]),
    }).toEqual({
      'x-a': ['1', '2'],
      authorization: 'HMACSHA256 abc=',
    });
  });

  it('keeps headers named __proto__ or constructor as headers, not as the object prototype', () => {
    const headers = foldHeaders([
      ['__proto__', 'x'],
      ['Constructor', 'y'],
      ['authorization', 'HMACSHA256 abc='],
    ]);
    expect(Object.entries(headers)).toEqual([
      ['__proto__', 'x'],
      ['constructor', 'y'],
      ['authorization', 'HMACSHA256 abc='],
    ]);
    expect(headerValue(headers, 'constructor')).toBe('y');
    expect(headerValue(headers, '__proto__')).toBe('x');
  });
});
