/**
 * Every published vector found for the schemes (sources in test/fixtures/vectors/vectors.json):
 * each must verify, and each must be rejected with one byte changed (signature_mismatch: the
 * signature no longer covers what arrived). The three Guuru pairs of seed 003 come first.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VECTORS, VECTORS_DIR as dir, vectorBody, type Vector } from '../helpers/vectors.ts';
import { findScheme } from '../../steps/lib/signature/registry.ts';
import { github } from '../../steps/lib/signature/github.ts';
import { guuru } from '../../steps/lib/signature/guuru.ts';
import { standardWebhooks } from '../../steps/lib/signature/standard-webhooks.ts';
import type { Scheme, VerifyInput } from '../../steps/lib/signature/types.ts';

const vectors = VECTORS;

function schemeOf(vector: Vector): Scheme {
  const scheme = findScheme(vector.scheme);
  if (!scheme) throw new Error(`unknown scheme ${vector.scheme}`);
  return scheme;
}

/** The request as it arrives: body bytes and headers, or (Vonage) the parameters in the query string. */
function inputOf(vector: Vector): VerifyInput {
  const body = vectorBody(vector);
  return {
    body,
    headers: vector.headers ?? {},
    secrets: [vector.secret],
    ...(vector.params === undefined ? {} : { url: `/webhooks?${new URLSearchParams(vector.params).toString()}` }),
    ...(vector.now === undefined ? {} : { now: () => (vector.now ?? 0) * 1000 }),
  };
}

/** The same request with one byte changed: in the body, or in one signed parameter's value. */
function withOneByteChanged(vector: Vector, input: VerifyInput): VerifyInput {
  if (vector.params !== undefined) {
    const params = { ...vector.params };
    const key = Object.keys(params).find((name) => name !== 'sig' && name !== 'timestamp') ?? 'timestamp';
    const value = params[key] ?? '';
    params[key] = `${value.slice(0, -1)}${value.endsWith('X') ? 'Y' : 'X'}`;
    return { ...input, url: `/webhooks?${new URLSearchParams(params).toString()}` };
  }
  const body = Buffer.from(input.body);
  body[body.length - 1] = (body[body.length - 1] ?? 0) ^ 0x01;
  return { ...input, body };
}

describe('seed 003: the three Guuru payload/signature pairs (secret "secr3t")', () => {
  it('keeps the fixture bytes exact: UTF-8 "João" and no trailing newline', () => {
    const body = readFileSync(new URL('guuru/example-2.json', dir));
    expect(body.includes(Buffer.from('"name":"Jo\u00e3o"', 'utf8'))).toBe(true);
    expect(body.includes(Buffer.from([0x4a, 0x6f, 0xc3, 0xa3, 0x6f]))).toBe(true);
    for (const n of [1, 2, 3]) expect(readFileSync(new URL(`guuru/example-${n}.json`, dir)).at(-1)).toBe(0x7d); // '}'
  });
});

describe.each(vectors.map((vector) => [vector.id, vector] as const))('published vector %s', (_id, vector) => {
  it(`verifies under ${vector.scheme} (${vector.source})`, () => {
    expect(schemeOf(vector).verify(inputOf(vector))).toEqual({ ok: true, secretIndex: 0 });
  });

  it('is rejected with one byte changed: signature_mismatch', () => {
    const result = schemeOf(vector).verify(withOneByteChanged(vector, inputOf(vector)));
    expect(result.ok).toBe(false);
    expect(result.ok ? undefined : result.reason).toBe('signature_mismatch');
  });

  if (vector.scheme.startsWith('vonage-')) {
    it('also verifies under "vonage", which tells the algorithm from the length of sig', () => {
      expect(findScheme('vonage')?.verify(inputOf(vector))).toEqual({ ok: true, secretIndex: 0 });
    });
  }
});

describe('signing reproduces the published signatures', () => {
  it('github: sign() gives the documented X-Hub-Signature-256', () => {
    const vector = vectors.find((v) => v.id === 'github-docs');
    expect(github.sign({ body: Buffer.from('Hello, World!'), secret: "It's a Secret to Everybody" })).toEqual(vector?.headers);
  });

  it('guuru: sign() gives each published X-Guuru-Hmac-Sha256', () => {
    for (const vector of vectors.filter((v) => v.scheme === 'guuru')) {
      expect(guuru.sign({ body: inputOf(vector).body, secret: 'secr3t' })).toEqual(vector.headers);
    }
  });

  it('standard-webhooks: sign() with the published id and time gives the published headers', () => {
    const vector = vectors.find((v) => v.id === 'standard-webhooks-sign');
    const headers = standardWebhooks.sign({
      body: Buffer.from('{"test": 2432232314}'),
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      now: () => 1614265330 * 1000,
    });
    expect(headers).toEqual(vector?.headers);
  });
});
