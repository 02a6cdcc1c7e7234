/**
 * Standard Webhooks: one valid signed request (built with sign(), never by hand), then one broken
 * part per test. Rules from the spec and its reference library (see steps/lib/signature/standard-webhooks.ts).
 */
import { describe, expect, it } from 'vitest';
import { standardWebhooks as scheme } from '../../steps/lib/signature/standard-webhooks.ts';
import type { VerifyInput } from '../../steps/lib/signature/types.ts';
import { otherBase64Spellings } from '../helpers/base64-spellings.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OLD_SECRET = `whsec_${Buffer.from('an older key of twenty-four+ bytes').toString('base64')}`;
const NOW = 1_700_000_000;
const clock = (seconds: number) => () => seconds * 1000;
const BODY = Buffer.from('{"type":"user.created","data":{"name":"João"}}', 'utf8');
const headers = scheme.sign({ body: BODY, secret: SECRET, id: 'msg_1', now: clock(NOW) });
const valid: VerifyInput = { body: BODY, headers, secrets: [SECRET], now: clock(NOW) };

function reasonOf(input: VerifyInput): string {
  const result = scheme.verify(input);
  return result.ok ? `ok(${result.secretIndex})` : result.reason;
}
const withHeaders = (changes: Record<string, string | undefined>): VerifyInput => ({ ...valid, headers: { ...headers, ...changes } });

describe('standard-webhooks', () => {
  it('sign() adds webhook-id, webhook-timestamp and a v1 signature, and that request verifies', () => {
    expect(headers).toEqual({ 'webhook-id': 'msg_1', 'webhook-timestamp': String(NOW), 'webhook-signature': expect.stringMatching(/^v1,[A-Za-z0-9+/]{43}=$/) });
    expect(scheme.verify(valid)).toEqual({ ok: true, secretIndex: 0 });
  });

  it('accepts the secret with or without the whsec_ prefix', () => {
    expect(reasonOf({ ...valid, secrets: [SECRET.slice('whsec_'.length)] })).toBe('ok(0)');
  });

  it('missing webhook-signature: missing_signature', () => {
    expect(reasonOf(withHeaders({ 'webhook-signature': undefined }))).toBe('missing_signature');
  });

  it('missing webhook-id or webhook-timestamp: missing_header', () => {
    expect(reasonOf(withHeaders({ 'webhook-id': undefined }))).toBe('missing_header');
    expect(reasonOf(withHeaders({ 'webhook-timestamp': undefined }))).toBe('missing_header');
  });

  it('a timestamp that is not whole seconds: malformed_timestamp', () => {
    for (const bad of ['hello', '1.5', '-3', `${NOW}000000`]) expect(reasonOf(withHeaders({ 'webhook-timestamp': bad }))).toBe('malformed_timestamp');
  });

  it('stale: more than 5 minutes old is refused, exactly 5 minutes is not', () => {
    expect(reasonOf({ ...valid, now: clock(NOW + 300) })).toBe('ok(0)');
    expect(reasonOf({ ...valid, now: clock(NOW + 301) })).toBe('stale_timestamp');
    expect(scheme.verify({ ...valid, now: clock(NOW + 431) })).toEqual({
      ok: false,
      reason: 'stale_timestamp',
      message: 'The webhook-timestamp is 7 min 11 s old, more than the 5 min allowed.',
    });
  });

  it('future: more than 5 minutes ahead is refused; toleranceSec widens the window', () => {
    expect(reasonOf({ ...valid, now: clock(NOW - 300) })).toBe('ok(0)');
    expect(reasonOf({ ...valid, now: clock(NOW - 301) })).toBe('future_timestamp');
    expect(reasonOf({ ...valid, now: clock(NOW - 301), toleranceSec: 600 })).toBe('ok(0)');
  });

  it('no v1 entry (only v1a, or "v1=" instead of "v1,"): wrong_scheme', () => {
    const b64 = (headers['webhook-signature'] ?? '').slice(3);
    expect(reasonOf(withHeaders({ 'webhook-signature': `v1a,${b64}` }))).toBe('wrong_scheme');
    expect(reasonOf(withHeaders({ 'webhook-signature': `v1=${b64}` }))).toBe('wrong_scheme');
  });

  it('a v1 value that is not base64 of 32 bytes: malformed_signature', () => {
    expect(reasonOf(withHeaders({ 'webhook-signature': 'v1,dawfeoifkpqwoekfpqoekf' }))).toBe('malformed_signature');
    expect(reasonOf(withHeaders({ 'webhook-signature': 'v1,' }))).toBe('malformed_signature');
  });

  it('the 3 other base64 spellings of the signature (spare bits of its last character set): malformed_signature, and skipped in a list', () => {
    const signature = headers['webhook-signature'] ?? '';
    for (const other of otherBase64Spellings(signature.slice(3))) {
      expect(scheme.verify(withHeaders({ 'webhook-signature': `v1,${other}` }))).toMatchObject({
        ok: false,
        reason: 'malformed_signature',
        message: expect.stringContaining('(it is not canonical base64: the character before the "=" must be one of AEIMQUYcgkosw048)'),
      });
      expect(reasonOf(withHeaders({ 'webhook-signature': `v1,${other} ${signature}` }))).toBe('ok(0)');
    }
  });

  it('wrong secret: signature_mismatch', () => {
    expect(reasonOf({ ...valid, secrets: [OLD_SECRET] })).toBe('signature_mismatch');
  });

  it('one body byte changed, or another id: signature_mismatch (the id is signed too)', () => {
    expect(reasonOf({ ...valid, body: Buffer.from(BODY.toString('utf8').replace('João', 'Joao')) })).toBe('signature_mismatch');
    expect(reasonOf(withHeaders({ 'webhook-id': 'msg_2' }))).toBe('signature_mismatch');
  });

  it('rotation: one of several signatures may match; the second configured secret matches', () => {
    const old = scheme.sign({ body: BODY, secret: OLD_SECRET, id: 'msg_1', now: clock(NOW) })['webhook-signature'] ?? '';
    const list = `v1a,c29tZXRoaW5n v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= ${old}`;
    expect(scheme.verify({ ...withHeaders({ 'webhook-signature': list }), secrets: [SECRET, OLD_SECRET] })).toEqual({ ok: true, secretIndex: 1 });
  });

  it('webhook-signature on two lines: the entries of both count (Node joins them with ", ", as an array when folded)', () => {
    const signature = headers['webhook-signature'] ?? '';
    const other = `v1,${Buffer.alloc(32, 7).toString('base64')}`;
    for (const sent of [`${signature}, ${other}`, `${other}, ${signature}`, [signature, other], [other, signature]]) {
      expect(reasonOf({ ...valid, headers: { ...headers, 'webhook-signature': sent } })).toBe('ok(0)');
    }
    // Within one line the comma is no separator: "v1,<sig>," is not an entry of base64.
    expect(reasonOf(withHeaders({ 'webhook-signature': `${signature},` }))).toBe('malformed_signature');
  });

  it('webhook-id or webhook-timestamp on two lines: refused alike as Node joins them (", ") and as folded from a record (an array)', () => {
    const id = headers['webhook-id'] ?? '';
    const timestamp = headers['webhook-timestamp'] ?? '';
    for (const sent of [`${timestamp}, ${timestamp}`, [timestamp, timestamp]]) {
      expect(scheme.verify({ ...valid, headers: { ...headers, 'webhook-timestamp': sent } })).toEqual({
        ok: false,
        reason: 'malformed_timestamp',
        message: `The webhook-timestamp "${timestamp}, ${timestamp}" is not whole Unix seconds (it holds comma-separated values, as Node joins a header sent more than once).`,
      });
    }
    for (const sent of [`${id}, ${id}`, [id, id]]) expect(reasonOf({ ...valid, headers: { ...headers, 'webhook-id': sent } })).toBe('signature_mismatch');
  });

  it('a header of ~340 candidate signatures costs no more HMACs than one signature', () => {
    // A sender chooses how many entries the list holds (16 KiB of headers is about 340), and each
    // HMAC hashes the whole body: one per candidate would be 340 passes over a body of up to 64 MiB.
    // An HMAC reads its key from the list of keys, so counting reads of the keys bounds the HMACs.
    function keyReads(signatureHeader: string): number {
      let reads = 0;
      const keyBytes = [Buffer.from('first key of twenty-four bytes!'), Buffer.from('second key of twenty-four bytes')];
      const keys = new Proxy(keyBytes, {
        get(target, property, receiver) {
          if (typeof property === 'string' && /^\d+$/.test(property)) reads += 1;
          return Reflect.get(target, property, receiver);
        },
      });
      const result = scheme.verifyWithKeys?.(withHeaders({ 'webhook-signature': signatureHeader }), keys);
      expect(result).toEqual({ ok: false, reason: 'signature_mismatch', message: expect.any(String) });
      return reads;
    }
    const junk = Array.from({ length: 340 }, (_, n) => `v1,${Buffer.alloc(32, n).toString('base64')}`).join(' ');
    const one = keyReads(headers['webhook-signature'] ?? '');
    expect(one).toBeGreaterThan(0);
    expect(keyReads(`${junk} ${headers['webhook-signature']}`)).toBe(one);
  });

  it('a secret that is not whsec_ base64: malformed_secret; none at all: no_secret', () => {
    expect(reasonOf({ ...valid, secrets: ['my-plain-secret'] })).toBe('malformed_secret');
    expect(reasonOf({ ...valid, secrets: [] })).toBe('no_secret');
  });

  it('sign() refuses a secret it cannot decode, with a coded TypeError', () => {
    expect(() => scheme.sign({ body: BODY, secret: 'not base64!' })).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' }));
  });

  it('timestampOf() reads webhook-timestamp', () => {
    expect(scheme.timestampOf?.(valid)).toBe(NOW);
  });
});
