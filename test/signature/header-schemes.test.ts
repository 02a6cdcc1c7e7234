/**
 * The one-header schemes (bracken, typeform, tradelens, guuru, github): one valid signed request,
 * then one broken part per test, each asserting the reason code a user would see.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findScheme } from '../../steps/lib/signature/registry.ts';
import type { HeaderScheme, Headers, Verifier, VerifyInput } from '../../steps/lib/signature/types.ts';
import { otherBase64Spellings } from '../helpers/base64-spellings.ts';

const SECRET = 'current-secret-0123456789';
const OLD_SECRET = 'previous-secret-9876543210';
const BODY = Buffer.from('{"event":"User_Create","user":{"username":"Renée & co"}}', 'utf8');

interface Case {
  readonly name: string;
  readonly header: string;
  readonly prefix: string;
  /** A prefix of another algorithm or scheme. */
  readonly wrongPrefix: string;
  readonly encoding: 'hex' | 'base64';
}

const CASES: readonly Case[] = [
  { name: 'bracken', header: 'authorization', prefix: 'HMACSHA256 ', wrongPrefix: 'Bearer ', encoding: 'base64' },
  { name: 'typeform', header: 'typeform-signature', prefix: 'sha256=', wrongPrefix: 'sha1=', encoding: 'base64' },
  { name: 'tradelens', header: 'x-gtd-signature', prefix: '', wrongPrefix: 'sha256=', encoding: 'hex' },
  { name: 'guuru', header: 'x-guuru-hmac-sha256', prefix: '', wrongPrefix: 'sha256=', encoding: 'hex' },
  { name: 'github', header: 'x-hub-signature-256', prefix: 'sha256=', wrongPrefix: 'sha1=', encoding: 'hex' },
];

function reasonOf(scheme: Verifier, input: VerifyInput): string {
  const result = scheme.verify(input);
  return result.ok ? `ok(${result.secretIndex})` : result.reason;
}

describe.each(CASES.map((c) => [c.name, c] as const))('%s', (name, c) => {
  const scheme = findScheme(name) as HeaderScheme;
  const signed = scheme.sign({ body: BODY, secret: SECRET });
  const value = signed[c.header] ?? '';
  const digest = value.slice(c.prefix.length);
  const valid: VerifyInput = { body: BODY, headers: signed, secrets: [SECRET] };
  const withHeader = (next: string): VerifyInput => ({ ...valid, headers: { ...signed, [c.header]: next } });

  it(`sign() adds ${c.header}: ${c.prefix}<${c.encoding} digest>, and that request verifies`, () => {
    expect(Object.keys(signed)).toEqual([c.header]);
    expect(value.startsWith(c.prefix)).toBe(true);
    expect(digest).toMatch(c.encoding === 'hex' ? /^[0-9a-f]{64}$/ : /^[A-Za-z0-9+/]{43}=$/);
    expect(scheme.verify(valid)).toEqual({ ok: true, secretIndex: 0 });
  });

  it('missing header: missing_signature', () => {
    const headers: Headers = { 'content-type': 'application/json' };
    expect(reasonOf(scheme, { ...valid, headers })).toBe('missing_signature');
    expect(reasonOf(scheme, withHeader('   '))).toBe('missing_signature');
  });

  it(`wrong prefix ("${c.wrongPrefix}"): wrong_scheme`, () => {
    expect(reasonOf(scheme, withHeader(`${c.wrongPrefix}${digest}`))).toBe('wrong_scheme');
  });

  it('bad encoding (the other encoding, a truncated digest, garbage): malformed_signature', () => {
    const other = Buffer.from(digest, c.encoding).toString(c.encoding === 'hex' ? 'base64' : 'hex');
    expect(reasonOf(scheme, withHeader(`${c.prefix}${other}`))).toBe('malformed_signature');
    expect(reasonOf(scheme, withHeader(`${c.prefix}${digest.slice(0, -2)}`))).toBe('malformed_signature');
    expect(reasonOf(scheme, withHeader(`${c.prefix}${'z'.repeat(digest.length)}`))).toBe('malformed_signature');
  });

  it('wrong secret: signature_mismatch', () => {
    expect(reasonOf(scheme, { ...valid, secrets: ['not-the-secret'] })).toBe('signature_mismatch');
  });

  it('one body byte changed: signature_mismatch', () => {
    const body = Buffer.from(BODY);
    body[10] = (body[10] ?? 0) ^ 0x20;
    expect(reasonOf(scheme, { ...valid, body })).toBe('signature_mismatch');
  });

  it('rotation: signed with the previous secret, it matches the second configured secret', () => {
    const headers = scheme.sign({ body: BODY, secret: OLD_SECRET });
    expect(scheme.verify({ body: BODY, headers, secrets: [SECRET, OLD_SECRET] })).toEqual({ ok: true, secretIndex: 1 });
  });

  it('no secret configured: no_secret', () => {
    expect(reasonOf(scheme, { ...valid, secrets: [] })).toBe('no_secret');
  });

  it('an empty secret is no secret: the HMAC under the empty key, which anyone can compute, never matches', () => {
    const forged = scheme.sign({ body: BODY, secret: '' });
    expect(reasonOf(scheme, { body: BODY, headers: forged, secrets: [''] })).toBe('no_secret');
    expect(reasonOf(scheme, { body: BODY, headers: forged, secrets: [SECRET, ''] })).toBe('signature_mismatch');
    expect(reasonOf(scheme, { ...valid, secrets: ['', SECRET] })).toBe('ok(1)');
  });

  it('uses the first value when the header was sent twice', () => {
    expect(reasonOf(scheme, { ...valid, headers: { [c.header]: [value, 'other'] } })).toBe('ok(0)');
  });
});

describe.each(CASES.filter((c) => c.encoding === 'base64').map((c) => [c.name, c] as const))('%s, a base64 scheme', (name, c) => {
  const scheme = findScheme(name) as HeaderScheme;
  const value = scheme.sign({ body: BODY, secret: SECRET })[c.header] ?? '';
  const digest = value.slice(c.prefix.length);

  it('the 3 other spellings of the same digest (spare bits of the last character set) are malformed, not a match', () => {
    const spellings = otherBase64Spellings(digest);
    expect(spellings.map((other) => Buffer.from(other, 'base64').equals(Buffer.from(digest, 'base64')))).toEqual([true, true, true]);
    for (const other of spellings) {
      expect(scheme.verify({ body: BODY, headers: { [c.header]: `${c.prefix}${other}` }, secrets: [SECRET] })).toMatchObject({
        ok: false,
        reason: 'malformed_signature',
        message: expect.stringContaining('(it is not canonical base64: the character before the "=" must be one of AEIMQUYcgkosw048)'),
      });
    }
  });
});

describe('messages say what is wrong', () => {
  it('github: a sha1= value is named, with the expected prefix', () => {
    const result = findScheme('github')?.verify({ body: BODY, headers: { 'x-hub-signature-256': `sha1=${'a'.repeat(40)}` }, secrets: [SECRET] });
    expect(result).toEqual({
      ok: false,
      reason: 'wrong_scheme',
      message: 'The X-Hub-Signature-256 value starts with "sha1=", not "sha256=" (a different algorithm or scheme).',
    });
  });

  it('github, typeform: "SHA256=" is not called a different algorithm; the letter case is named', () => {
    for (const [name, header] of [
      ['github', 'x-hub-signature-256'],
      ['typeform', 'typeform-signature'],
    ] as const) {
      const scheme = findScheme(name) as HeaderScheme;
      const value = scheme.sign({ body: BODY, secret: SECRET })[header] ?? '';
      const result = scheme.verify({ body: BODY, headers: { [header]: value.replace('sha256=', 'SHA256=') }, secrets: [SECRET] });
      expect(result).toMatchObject({
        ok: false,
        reason: 'wrong_scheme',
        message: expect.stringMatching(/ starts with "SHA256=", not "sha256=" \(the prefix must be in lower case\)\.$/),
      });
    }
  });

  it('github: only the legacy X-Hub-Signature (sha1=) is not called unsigned; the SHA-1 header is named', () => {
    const sha1 = `sha1=${createHmac('sha1', SECRET).update(BODY).digest('hex')}`;
    expect(findScheme('github')?.verify({ body: BODY, headers: { 'x-hub-signature': sha1 }, secrets: [SECRET] })).toEqual({
      ok: false,
      reason: 'missing_signature',
      message:
        'No X-Hub-Signature-256 header, only the legacy X-Hub-Signature (HMAC-SHA1), which this receiver does not accept: it checks SHA-256 signatures only.',
    });
  });

  it('github, guuru: a header Node joined from two ("a, b") is named as several values, not only as malformed', () => {
    const github = findScheme('github') as HeaderScheme;
    const value = github.sign({ body: BODY, secret: SECRET })['x-hub-signature-256'] ?? '';
    expect(github.verify({ body: BODY, headers: { 'x-hub-signature-256': `${value}, ${value}` }, secrets: [SECRET] })).toEqual({
      ok: false,
      reason: 'malformed_signature',
      message:
        'The X-Hub-Signature-256 value is not the 64-digit hex of an HMAC-SHA256: it holds comma-separated values, as Node joins a header sent more than once.',
    });
    const guuru = findScheme('guuru') as HeaderScheme;
    const hex = guuru.sign({ body: BODY, secret: SECRET })['x-guuru-hmac-sha256'] ?? '';
    expect(guuru.verify({ body: BODY, headers: { 'x-guuru-hmac-sha256': `${hex}, ${hex}` }, secrets: [SECRET] })).toMatchObject({
      reason: 'malformed_signature',
      message: expect.stringContaining(': it holds comma-separated values, as Node joins a header sent more than once.'),
    });
  });

  it('typeform: a hex digest is called out as hex', () => {
    const hex = 'ab'.repeat(32);
    const result = findScheme('typeform')?.verify({ body: BODY, headers: { 'typeform-signature': `sha256=${hex}` }, secrets: [SECRET] });
    expect(result).toEqual({
      ok: false,
      reason: 'malformed_signature',
      message: 'The Typeform-Signature value is not the 44-character base64 of an HMAC-SHA256 (it looks like hex).',
    });
  });

  it('tradelens: the body is an array of events; its exact bytes are what is signed', () => {
    const scheme = findScheme('tradelens') as HeaderScheme;
    const events = Buffer.from('[{"eventType":"transportEvent","id":"e1"},{"eventType":"transportEvent","id":"e2"}]');
    const headers = scheme.sign({ body: events, secret: SECRET });
    expect(scheme.verify({ body: events, headers, secrets: [SECRET] })).toEqual({ ok: true, secretIndex: 0 });
    const reordered = Buffer.from('[{"eventType":"transportEvent","id":"e2"},{"eventType":"transportEvent","id":"e1"}]');
    expect(scheme.verify({ body: reordered, headers, secrets: [SECRET] })).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('tradelens: hex digits compare as bytes, so upper-case hex verifies too', () => {
    const scheme = findScheme('tradelens') as HeaderScheme;
    const hex = scheme.sign({ body: BODY, secret: SECRET })['x-gtd-signature'] ?? '';
    expect(scheme.verify({ body: BODY, headers: { 'x-gtd-signature': hex.toUpperCase() }, secrets: [SECRET] })).toEqual({ ok: true, secretIndex: 0 });
  });
});
