/** checkReserialization(): what JSON.stringify(JSON.parse(body)) changes, the tutorial receiver's blind spot. */
import { describe, expect, it } from 'vitest';
import { checkReserialization } from '../../steps/lib/report/reserialization.ts';

const check = (text: string) => checkReserialization(Buffer.from(text, 'utf8'));

describe('checkReserialization', () => {
  it('compact JSON round-trips byte for byte', () => {
    expect(check('{"a":1,"b":"é","c":[true,null]}')).toMatchObject({ json: true, identical: true, changes: [], firstDifference: undefined });
  });

  it('a body that is not JSON is reported as such', () => {
    expect(check('a=1&b=2')).toMatchObject({ json: false, identical: false, reserialized: undefined });
  });

  it('names each change: escaped slash, big integer, exponent, whitespace', () => {
    const result = check('{"url":"a\\/b","big":12345678901234567890,"exp":1e2}\r\n');
    expect(result.changes).toEqual([
      '"\\/" written as "/"',
      'number spelling (12345678901234567890 → 12345678901234567000)',
      'number spelling (1e2 → 100)',
      'whitespace between tokens',
      'a trailing newline',
    ]);
    expect(result.reserialized).toBe('{"url":"a/b","big":12345678901234567000,"exp":100}');
  });

  it('keeps control-character escapes (JSON.stringify writes them escaped too) and counts UTF-8 bytes', () => {
    const result = check('{"t":"line\\u000a","n":"Jo\\u00e3o"}');
    expect(result.changes).toEqual(['\\u escapes written as the characters']);
    expect(result.rawBytes).toBe(34);
    expect(result.reserializedBytes).toBe(Buffer.byteLength('{"t":"line\\n","n":"João"}'));
    expect(result.firstDifference?.offset).toBe(11);
  });
});
