/**
 * The signature primitives and the Bracken scheme against values computed OUTSIDE this code:
 * RFC 4231's published HMAC-SHA256 test cases, and Bracken headers computed with openssl:
 *
 *   printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64
 *
 * Bracken publishes no test vectors (shared/bracken-api.md §3), so these pin the documented rule:
 * `Authorization: HMACSHA256 <base64 HMAC-SHA256(secret as UTF-8, body bytes)>`.
 */
import { describe, expect, it } from 'vitest';
import { hmacSha256, safeEqual, sign, verify } from '../../steps/lib/signature/primitives.ts';
import { bracken } from '../../steps/lib/signature/bracken.ts';

// https://www.rfc-editor.org/rfc/rfc4231#section-4.2 and #section-4.3
const RFC4231 = [
  { name: 'test case 1', key: Buffer.alloc(20, 0x0b), data: 'Hi There', hex: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7' },
  { name: 'test case 2', key: 'Jefe', data: 'what do ya want for nothing?', hex: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843' },
];

// openssl 3, as in the header comment. The second body keeps a \u00e9 escape and a 1.0 that
// JSON.stringify(JSON.parse(...)) would rewrite: the signature is over these exact bytes.
const BRACKEN = [
  {
    name: "the tutorial's secret 12345 over a compact User_Create body",
    secret: '12345',
    body: '{"eventname":"User_Create","domainkey":15435,"userkey":1001,"username":"Test-User","timestamp":"2026-11-22T10:00:00.000Z"}',
    header: 'HMACSHA256 hhJiDY3vUrDSs1vklz9iwL2utj+Jyrg7XXBfbnuwvsE=',
  },
  {
    name: 'a body with an escape and a 1.0 that re-serializing would change',
    secret: 'wZ6lq1nQm8y2B3xK9pR4tV7cE0dH5jL1',
    body: '{"name":"Ren\\u00e9e","score":1.0}',
    header: 'HMACSHA256 XzPEX3eOGlJxiE0zBXbcddejzUyZvrUZvd8G8N5pKD0=',
  },
];

describe('hmacSha256() against RFC 4231', () => {
  for (const vector of RFC4231) {
    it(`${vector.name} gives the published digest`, () => {
      expect(hmacSha256(vector.key, vector.data).toString('hex')).toBe(vector.hex);
    });
  }
});

describe('Bracken signatures against openssl', () => {
  for (const vector of BRACKEN) {
    const body = Buffer.from(vector.body, 'utf8');
    it(`sign() and bracken.sign() reproduce the header: ${vector.name}`, () => {
      expect(`HMACSHA256 ${sign(vector.secret, body)}`).toBe(vector.header);
      expect(bracken.sign({ body, secret: vector.secret })).toEqual({ authorization: vector.header });
    });

    it(`bracken.verify() accepts it, and refuses it with one body byte changed: ${vector.name}`, () => {
      expect(bracken.verify({ body, headers: { authorization: vector.header }, secrets: [vector.secret] })).toEqual({ ok: true, secretIndex: 0 });
      const changed = Buffer.from(body);
      changed.writeUInt8(changed.readUInt8(changed.length - 2) ^ 0x01, changed.length - 2);
      expect(bracken.verify({ body: changed, headers: { authorization: vector.header }, secrets: [vector.secret] })).toMatchObject({
        ok: false,
        reason: 'signature_mismatch',
      });
    });
  }

  it('re-serializing the second body changes its bytes, so its signature no longer matches (the tutorial pitfall)', () => {
    const vector = BRACKEN[1]!;
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(vector.body)));
    expect(reserialized.toString()).toBe('{"name":"Renée","score":1}');
    expect(bracken.verify({ body: reserialized, headers: { authorization: vector.header }, secrets: [vector.secret] })).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });
});

describe('verify() and safeEqual()', () => {
  const body = Buffer.from(BRACKEN[0]!.body);
  const digest = Buffer.from(BRACKEN[0]!.header.slice('HMACSHA256 '.length), 'base64');

  it('returns the index of the secret that matched, trying older secrets for rotation', () => {
    expect(verify(body, digest, ['12345'])).toBe(0);
    expect(verify(body, digest, ['new-secret', '12345'])).toBe(1);
    expect(verify(body, digest, ['new-secret'])).toBe(-1);
    expect(verify(body, digest, [])).toBe(-1);
  });

  it('safeEqual() is false for different lengths instead of throwing like timingSafeEqual', () => {
    expect(safeEqual(digest, digest.subarray(0, 31))).toBe(false);
    expect(safeEqual(digest, Buffer.from(digest))).toBe(true);
  });
});
