import { describe, expect, test } from 'vitest';
import { printable } from '../../steps/lib/core/printable.ts';
import { redact, redactUrlSecrets } from '../../steps/lib/core/redact.ts';

describe('redact(value, keep)', () => {
  test('keeps the first characters and the length of a long value', () => {
    expect(redact('eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9')).toBe('eyJh…(36 chars)');
    expect(redact('HMACSHA256 K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=', 15)).toBe('HMACSHA256 K5oZ…(55 chars)');
  });

  test('prints a value too short to shorten as the same four stars, whatever its length (issue 12: it used to be one star per character)', () => {
    expect(redact('1')).toBe('****');
    expect(redact('12345')).toBe('****');
    expect(redact('secr3t')).toBe('****');
    expect(redact('12345678')).toBe('****');
    expect(redact('123456789')).toBe('1234…(9 chars)');
  });

  test('says (none) for nothing', () => {
    expect(redact(undefined)).toBe('(none)');
    expect(redact('')).toBe('(none)');
  });

  test('printable() shows a short secret field as **** too, and leaves an answer already redacted that way alone', () => {
    expect(printable({ secret: '12345', target: 'https://x/webhooks' })).toBe('{"secret":"****","target":"https://x/webhooks"}');
    expect(printable({ note: 'signed with 12345' }, ['12345'])).toBe('{"note":"signed with ****"}');
    expect(printable({ secret: '****' })).toBe('{"secret":"****"}');
  });
});

describe('redactUrlSecrets(url)', () => {
  test('shortens credential parameters in the query and fragment and a user info password, and leaves the rest as written', () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.payload-0123456789.signature';
    expect(redactUrlSecrets(`https://login.example.test/cb?state=7&access_token=${token}#id_token=${token}&x=1`)).toBe(
      `https://login.example.test/cb?state=7&access_token=eyJh…(${token.length} chars)#id_token=eyJh…(${token.length} chars)&x=1`,
    );
    expect(redactUrlSecrets('/api/hook?api_key=ak_live_0123456789&Client_Secret=shhh&code=abcdefghij')).toBe(
      '/api/hook?api_key=ak_l…(18 chars)&Client_Secret=****&code=abcd…(10 chars)',
    );
    expect(redactUrlSecrets('https://user:s3cr3t-passw0rd@proxy.example.test/login?next=/x')).toBe(
      'https://user:s3cr…(15 chars)@proxy.example.test/login?next=/x',
    );
    expect(redactUrlSecrets('https://login.example.test/connect/token?tokenType=x&keyword=y')).toBe(
      'https://login.example.test/connect/token?tokenType=x&keyword=y',
    );
  });
});
