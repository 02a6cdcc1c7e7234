/** The registry the listener and `npm run verify` look schemes up in, and signRequest() for every scheme. */
import { describe, expect, it } from 'vitest';
import { SCHEMES, findScheme, schemeNames } from '../../steps/lib/signature/registry.ts';
import { signRequest } from '../../steps/lib/signature/sign-request.ts';

const SECRET_FOR: Record<string, string> = { 'standard-webhooks': 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' };

describe('schemes registry', () => {
  it('knows every seed system, GitHub, Standard Webhooks and the Vonage algorithms', () => {
    expect(schemeNames()).toEqual([
      'bracken',
      'typeform',
      'tradelens',
      'guuru',
      'github',
      'standard-webhooks',
      'vonage',
      'vonage-md5hash',
      'vonage-md5',
      'vonage-sha1',
      'vonage-sha256',
      'vonage-sha512',
    ]);
    for (const name of schemeNames()) expect(SCHEMES[name]?.name).toBe(name);
  });

  it('findScheme returns undefined for unknown names, including Object.prototype keys', () => {
    for (const name of ['nope', 'BRACKEN', '__proto__', 'toString', 'constructor']) expect(findScheme(name)).toBeUndefined();
  });

  it.each(schemeNames())('%s: a request from signRequest() verifies, and is refused with one byte changed', (name) => {
    const scheme = findScheme(name);
    if (!scheme) throw new Error(name);
    const secret = SECRET_FOR[name] ?? 'registry-secret';
    const now = () => 1_700_000_000_000;
    const signed = signRequest(scheme, { body: Buffer.from('{"event":"User_Create","text":"a=b&c"}'), secret, now, url: '/webhooks' });
    const input = { body: signed.body, headers: signed.headers, secrets: [secret], now, ...(signed.url === undefined ? {} : { url: signed.url }) };
    expect(scheme.verify(input)).toEqual({ ok: true, secretIndex: 0 });
    const tampered = Buffer.from(Buffer.from(signed.body).toString('utf8').replace('User_Create', 'User_Delete'));
    expect(scheme.verify({ ...input, body: tampered })).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });
});
