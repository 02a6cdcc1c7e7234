/**
 * Vonage signed SMS webhooks: parameters in the query string, a form, or a JSON body; one valid
 * request per form, then one broken part per test. The published vectors are in vectors.test.ts.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findScheme } from '../../steps/lib/signature/registry.ts';
import { signRequest, signsParameters } from '../../steps/lib/signature/sign-request.ts';
import type { Scheme, VerifyInput } from '../../steps/lib/signature/types.ts';
import { vonage } from '../../steps/lib/signature/vonage/vonage.ts';

const SECRET = 'vonage-signature-secret';
const NOW = 1_548_240_699;
const clock = (seconds: number) => () => seconds * 1000;
const PARAMS = { msisdn: '447700900000', to: '447700900001', messageId: '16000002632BEC99', text: 'Rock & roll = fun', type: 'text' };

/** A signed JSON body, via signRequest (the sender's side). */
function signedJson(scheme: Scheme = vonage, params: Record<string, string> = PARAMS): VerifyInput {
  const signed = signRequest(scheme, { body: Buffer.from(JSON.stringify(params)), secret: SECRET, now: clock(NOW) });
  return { body: signed.body, headers: signed.headers, secrets: [SECRET], now: clock(NOW) };
}
const bodyParams = (input: VerifyInput) => JSON.parse(Buffer.from(input.body).toString('utf8')) as Record<string, string>;
const asQuery = (params: Record<string, string>): VerifyInput => ({
  body: Buffer.alloc(0),
  headers: {},
  url: `/webhooks/inbound-sms?${new URLSearchParams(params).toString()}`,
  secrets: [SECRET],
  now: clock(NOW),
});
function reasonOf(input: VerifyInput, scheme: Scheme = vonage): string {
  const result = scheme.verify(input);
  return result.ok ? `ok(${result.secretIndex})` : result.reason;
}

describe('vonage', () => {
  it('signRequest() adds timestamp and an upper-case SHA-256 HMAC sig over "&key=value" with & and = made _', () => {
    const input = signedJson();
    const params = bodyParams(input);
    const base = '&messageId=16000002632BEC99&msisdn=447700900000&text=Rock _ roll _ fun&timestamp=1548240699&to=447700900001&type=text';
    expect(params).toEqual({ ...PARAMS, timestamp: String(NOW), sig: createHmac('sha256', SECRET).update(base).digest('hex').toUpperCase() });
    expect(input.headers).toEqual({ 'content-type': 'application/json' });
    expect(vonage.verify(input)).toEqual({ ok: true, secretIndex: 0 });
  });

  it('verifies the same parameters in a query string (GET) and in a form body (POST)', () => {
    const params = bodyParams(signedJson());
    expect(reasonOf(asQuery(params))).toBe('ok(0)');
    const form = {
      body: Buffer.from(new URLSearchParams(params).toString()),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      secrets: [SECRET],
      now: clock(NOW),
    };
    expect(reasonOf(form)).toBe('ok(0)');
  });

  it('has no sign(): the signature is a parameter, not a header, so only signRequest() signs it', () => {
    // @ts-expect-error Vonage is a ParameterScheme: the compiler refuses a header sign() on it.
    const sign: unknown = vonage.sign;
    expect(sign).toBeUndefined();
    expect(signsParameters(vonage)).toBe(true);
  });

  it('no sig parameter: missing_signature', () => {
    const { sig: _sig, ...rest } = bodyParams(signedJson());
    expect(reasonOf(asQuery(rest))).toBe('missing_signature');
  });

  it('no timestamp parameter: missing_header; not whole seconds: malformed_timestamp', () => {
    const params = bodyParams(signedJson());
    const { timestamp: _timestamp, ...rest } = params;
    expect(reasonOf(asQuery(rest))).toBe('missing_header');
    expect(reasonOf(asQuery({ ...params, timestamp: '2019-01-23 10:51:39' }))).toBe('malformed_timestamp');
  });

  it('a timestamp more than 5 minutes off: stale_timestamp / future_timestamp', () => {
    const input = signedJson();
    expect(reasonOf({ ...input, now: clock(NOW + 301) })).toBe('stale_timestamp');
    expect(reasonOf({ ...input, now: clock(NOW - 301) })).toBe('future_timestamp');
    expect(reasonOf({ ...input, now: clock(NOW + 300) })).toBe('ok(0)');
  });

  it('a sig that is not hex of a known digest length: malformed_signature', () => {
    const params = bodyParams(signedJson());
    expect(reasonOf(asQuery({ ...params, sig: 'xyz' }))).toBe('malformed_signature');
    expect(reasonOf(asQuery({ ...params, sig: (params.sig ?? '').slice(0, 60) }))).toBe('malformed_signature');
  });

  it('a pinned algorithm refuses a sig of another length: wrong_scheme', () => {
    const input = signedJson(); // SHA-256: 64 hex digits
    expect(findScheme('vonage-sha512')?.verify(input)).toEqual({
      ok: false,
      reason: 'wrong_scheme',
      message: 'The "sig" parameter has 64 hex digits (SHA-256 HMAC), not SHA-512 HMAC.',
    });
  });

  it('wrong secret, or one parameter changed: signature_mismatch', () => {
    const input = signedJson();
    expect(reasonOf({ ...input, secrets: ['another-secret'] })).toBe('signature_mismatch');
    expect(reasonOf(asQuery({ ...bodyParams(input), text: 'Rock & roll = fun!' }))).toBe('signature_mismatch');
  });

  it('a parameter name holding "&" or "=" is refused: it would sign the same base string as other parameters', () => {
    // Vonage replaces & and = in values only, so {"messageId=…&msisdn": "4477…"} signs "&messageId=…&msisdn=4477…",
    // exactly what {messageId, msisdn} signs: a captured sig would then verify parameters the sender never sent.
    const { messageId, msisdn, ...rest } = bodyParams(signedJson());
    const merged = asQuery({ [`messageId=${messageId}&msisdn`]: msisdn ?? '', ...rest });
    expect(vonage.verify(merged)).toEqual({
      ok: false,
      reason: 'malformed_body',
      message: 'The parameter name "messageId=16000002632BEC99&msisdn" holds "&" or "=", which the signed string cannot tell apart from a separator.',
    });
  });

  it('more than 256 parameters is malformed_body: parsing and sorting 1 MiB of them took seconds before any check', () => {
    const many = Object.fromEntries(Array.from({ length: 300 }, (_, n) => [`k${n}`, '']));
    const params = { ...many, sig: 'a'.repeat(64), timestamp: String(NOW) };
    const message = 'There are more than 256 parameters; a Vonage webhook sends a few dozen.';
    const form = { body: Buffer.from(new URLSearchParams(params).toString()), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    expect(vonage.verify({ ...form, secrets: [SECRET], now: clock(NOW) })).toEqual({ ok: false, reason: 'malformed_body', message });
    const json = { body: Buffer.from(JSON.stringify(params)), headers: { 'content-type': 'application/json' } };
    expect(vonage.verify({ ...json, secrets: [SECRET], now: clock(NOW) })).toEqual({ ok: false, reason: 'malformed_body', message });
    expect(vonage.verify({ ...asQuery(params), secrets: [SECRET] })).toEqual({ ok: false, reason: 'malformed_body', message });
    const fewer = Object.fromEntries(Array.from({ length: 250 }, (_, n) => [`k${n}`, 'v']));
    expect(reasonOf(signedJson(vonage, fewer))).toBe('ok(0)');
  });

  it('a body over 64 KiB is malformed_body before it is parsed; 64 KiB of text still verifies', () => {
    const big = { body: Buffer.from(JSON.stringify({ ...PARAMS, text: 'x'.repeat(70_000) })), headers: { 'content-type': 'application/json' } };
    expect(vonage.verify({ ...big, secrets: [SECRET], now: clock(NOW) })).toEqual({
      ok: false,
      reason: 'malformed_body',
      message: `The body is ${big.body.length} bytes; a Vonage webhook's parameters fit in 64 KiB.`,
    });
    expect(reasonOf(signedJson(vonage, { ...PARAMS, text: 'x'.repeat(60_000) }))).toBe('ok(0)');
  });

  it('rotation: signed with the previous secret, it matches the second configured secret', () => {
    const input = signedJson();
    expect(vonage.verify({ ...input, secrets: ['new-secret', SECRET] })).toEqual({ ok: true, secretIndex: 1 });
  });

  it('no secret: no_secret; a body that is not parameters: malformed_body', () => {
    expect(reasonOf({ ...signedJson(), secrets: [] })).toBe('no_secret');
    const nested = { body: Buffer.from('{"sig":"AB","user":{"id":1}}'), headers: { 'content-type': 'application/json' }, secrets: [SECRET] };
    expect(reasonOf(nested)).toBe('malformed_body');
    expect(reasonOf({ body: Buffer.from('<xml/>'), headers: { 'content-type': 'text/xml' }, secrets: [SECRET] })).toBe('malformed_body');
  });

  it.each(['md5hash', 'md5', 'sha1', 'sha256', 'sha512'])('vonage-%s: signRequest() output verifies under it and under "vonage"', (algorithm) => {
    const scheme = findScheme(`vonage-${algorithm}`) as Scheme;
    const input = signedJson(scheme);
    expect(reasonOf(input, scheme)).toBe('ok(0)');
    expect(reasonOf(input, vonage)).toBe('ok(0)');
  });

  it.each(['md5hash', 'sha256'])('an empty secret is no secret: a %s sig made without one never matches', (algorithm) => {
    // md5hash is MD5(base string + secret): with an empty secret, anyone can compute it.
    const scheme = findScheme(`vonage-${algorithm}`) as Scheme;
    const signed = signRequest(scheme, { body: Buffer.from(JSON.stringify(PARAMS)), secret: '', now: clock(NOW) });
    const forged: VerifyInput = { body: signed.body, headers: signed.headers, secrets: [''], now: clock(NOW) };
    expect(reasonOf(forged)).toBe('no_secret');
    expect(reasonOf({ ...forged, secrets: [SECRET, ''] })).toBe('signature_mismatch');
  });

  it('timestampOf() reads the timestamp parameter', () => {
    expect(vonage.timestampOf?.(signedJson())).toBe(NOW);
  });
});
