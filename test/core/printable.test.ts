import { describe, expect, test } from 'vitest';
import { generateSecret } from '../../steps/lib/core/generate.ts';
import { printable } from '../../steps/lib/core/printable.ts';

describe('printable', () => {
  test('redacts password, secret and token fields and every occurrence of the given secrets', () => {
    const secret = generateSecret();
    const text = printable({ user: { userkey: 1, password: 'hunter2-hunter2' }, access_token: 'abcdefghijkl', note: `uses ${secret}` }, [secret]);
    expect(text).toBe(`{"user":{"userkey":1,"password":"hunt…(15 chars)"},"access_token":"abcd…(12 chars)","note":"uses ${secret.slice(0, 4)}…(43 chars)"}`);
  });

  test('leaves a value the server already redacted alone, and says when the body is empty', () => {
    expect(printable({ secret: 'rdMa…(43 chars)' })).toBe('{"secret":"rdMa…(43 chars)"}');
    expect(printable(undefined)).toBe('(empty body)');
  });

  test('finds a secret with quotes in it inside the JSON text', () => {
    expect(printable({ echo: 'my "quoted" secret' }, ['my "quoted" secret'])).not.toContain('quoted');
  });
});
