/**
 * The small, exact rules of each scheme's verify, one per test: which secret a match is credited
 * to, the Bracken header's case and token count, the digest's exact length and padding, a pinned
 * Vonage algorithm, and the Standard Webhooks timestamp as the number it is.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bracken } from '../../steps/lib/signature/bracken.ts';
import { github } from '../../steps/lib/signature/github.ts';
import { findScheme } from '../../steps/lib/signature/registry.ts';
import { signRequest } from '../../steps/lib/signature/sign-request.ts';
import { signedContent, standardWebhooks } from '../../steps/lib/signature/standard-webhooks.ts';
import type { Scheme, VerifyInput } from '../../steps/lib/signature/types.ts';

const BODY = Buffer.from('{"eventname":"User_Create","data":{"name":"João"}}', 'utf8');
const SECRET = 'current-secret';
const OLD_SECRET = 'previous-secret';

function outcome(scheme: Scheme, input: VerifyInput): string {
  const result = scheme.verify(input);
  return result.ok ? `ok(${result.secretIndex})` : result.reason;
}

describe('bracken', () => {
  const digest = createHmac('sha256', SECRET).update(BODY).digest('base64');

  it('takes the scheme word in any case (RFC 9110: auth schemes are case-insensitive)', () => {
    expect(outcome(bracken, { body: BODY, headers: { authorization: `hmacsha256 ${digest}` }, secrets: [SECRET] })).toBe('ok(0)');
  });

  it('refuses a header with anything after the signature as malformed', () => {
    expect(outcome(bracken, { body: BODY, headers: { authorization: `HMACSHA256 ${digest} extra` }, secrets: [SECRET] })).toBe('malformed_signature');
  });

  it('refuses the digest without its base64 padding as malformed (the same bytes, but not what Bracken sends)', () => {
    expect(digest.endsWith('=')).toBe(true);
    expect(outcome(bracken, { body: BODY, headers: { authorization: `HMACSHA256 ${digest.slice(0, -1)}` }, secrets: [SECRET] })).toBe('malformed_signature');
  });

  it('credits the match to the current secret when the same secret is also listed as a previous one', () => {
    expect(outcome(bracken, { body: BODY, headers: { authorization: `HMACSHA256 ${digest}` }, secrets: [SECRET, OLD_SECRET, SECRET] })).toBe('ok(0)');
  });
});

describe('github (one header with a prefix)', () => {
  it('refuses "sha256==<hex>": the prefix is taken once, and what follows must be the digest alone', () => {
    const hex = createHmac('sha256', SECRET).update(BODY).digest('hex');
    expect(outcome(github, { body: BODY, headers: { 'x-hub-signature-256': `sha256=${hex}` }, secrets: [SECRET] })).toBe('ok(0)');
    expect(outcome(github, { body: BODY, headers: { 'x-hub-signature-256': `sha256==${hex}` }, secrets: [SECRET] })).toBe('malformed_signature');
  });
});

describe('standard-webhooks', () => {
  const NOW = 1_700_000_000;
  const clock = () => NOW * 1000;
  const key = Buffer.from('a key of twenty-four bytes or more');
  const whsec = (bytes: Buffer) => `whsec_${bytes.toString('base64')}`;
  const v1 = (bytes: Buffer, timestamp: number | string) =>
    `v1,${createHmac('sha256', bytes)
      .update(signedContent('msg_1', timestamp, BODY))
      .digest('base64')}`;

  it('during a rotation, a request signed by both secrets is credited to the current one, whatever the order of its signatures', () => {
    const oldKey = Buffer.from('the previous key, also long enough');
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(NOW), 'webhook-signature': `${v1(oldKey, NOW)} ${v1(key, NOW)}` };
    expect(outcome(standardWebhooks, { body: BODY, headers, secrets: [whsec(key), whsec(oldKey)], now: clock })).toBe('ok(0)');
  });

  it('signs the timestamp as the number it is: "0" + seconds is the same time, and verifies against the signature over the number', () => {
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': `0${NOW}`, 'webhook-signature': v1(key, NOW) };
    expect(outcome(standardWebhooks, { body: BODY, headers, secrets: [whsec(key)], now: clock })).toBe('ok(0)');
  });
});

describe('vonage with a pinned algorithm', () => {
  it('vonage-md5 refuses a sig made with the MD5 hash algorithm, though both are 32 hex digits', () => {
    const NOW = 1_548_240_699;
    const clock = () => NOW * 1000;
    const params = { msisdn: '447700900000', to: '447700900001', text: 'hello', type: 'text' };
    const md5hash = findScheme('vonage-md5hash') as Scheme;
    const md5 = findScheme('vonage-md5') as Scheme;
    const signed = signRequest(md5hash, { body: Buffer.from(JSON.stringify(params)), secret: SECRET, now: clock });
    const input: VerifyInput = { body: signed.body, headers: signed.headers, secrets: [SECRET], now: clock };
    expect(outcome(md5hash, input)).toBe('ok(0)');
    expect(outcome(md5, input)).toBe('signature_mismatch');
  });
});
