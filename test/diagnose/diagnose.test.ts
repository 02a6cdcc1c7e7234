/**
 * diagnose(): each known mistake, made on purpose on a request signed by sign() (or, for a sender's
 * mistake, by the primitives the sender would have used), must be named by its code.
 */
import { describe, expect, it } from 'vitest';
import { createMismatchExplainer, diagnose, explainMismatch } from '../../steps/lib/diagnose/diagnose.ts';
import { findScheme } from '../../steps/lib/signature/registry.ts';
import { signedContent } from '../../steps/lib/signature/standard-webhooks.ts';
import type { HeaderScheme, VerifyInput } from '../../steps/lib/signature/types.ts';
import { hmacSha256 } from '../../steps/lib/signature/primitives.ts';

const scheme = (name: string) => findScheme(name) as HeaderScheme;
const SECRET = 's3cr3t-for-diagnosis';
const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OBJECT = { event: 'User_Create', user: { username: 'Test-User-1', email: 'a@example.com' } };
const COMPACT = JSON.stringify(OBJECT);

/** Signed over `signedBody`, checked against `checkedBody` (what arrived, or what was saved). */
function request(name: string, signedBody: string, checkedBody: string, secrets: string[] = [SECRET]): VerifyInput {
  return { body: Buffer.from(checkedBody), headers: scheme(name).sign({ body: Buffer.from(signedBody), secret: SECRET }), secrets };
}
const codeOf = (name: string, input: VerifyInput) => diagnose(scheme(name), input)?.code;

describe('diagnose: the body checked is not the body signed', () => {
  it('body_reserialized: signed compact, checked reformatted', () => {
    expect(codeOf('bracken', request('bracken', COMPACT, JSON.stringify(OBJECT, null, 3)))).toBe('body_reserialized');
  });

  it('body_pretty_printed: signed with 2- or 4-space indentation, checked compact (the indent is named)', () => {
    expect(codeOf('github', request('github', JSON.stringify(OBJECT, null, 2), COMPACT))).toBe('body_pretty_printed');
    const four = diagnose(scheme('github'), request('github', JSON.stringify(OBJECT, null, 4), COMPACT));
    expect(four?.code).toBe('body_pretty_printed');
    expect(four?.explanation).toContain('4-space indentation');
  });

  it('trailing_newline_added / trailing_newline_removed', () => {
    expect(codeOf('guuru', request('guuru', COMPACT, `${COMPACT}\n`))).toBe('trailing_newline_added');
    expect(codeOf('guuru', request('guuru', `${COMPACT}\n`, COMPACT))).toBe('trailing_newline_removed');
  });

  it('crlf_to_lf / lf_to_crlf', () => {
    const lf = JSON.stringify(OBJECT, null, 2);
    const crlf = lf.replace(/\n/g, '\r\n');
    expect(codeOf('typeform', request('typeform', crlf, lf))).toBe('crlf_to_lf');
    expect(codeOf('typeform', request('typeform', lf, crlf))).toBe('lf_to_crlf');
  });
});

describe('diagnose: same secret, different key bytes', () => {
  it('secret_whitespace: spaces or a newline around the configured secret', () => {
    expect(codeOf('bracken', request('bracken', COMPACT, COMPACT, [` ${SECRET}\n`]))).toBe('secret_whitespace');
  });

  it("secret_whitespace: the sender's copy ends with a newline", () => {
    const headers = scheme('tradelens').sign({ body: Buffer.from(COMPACT), secret: `${SECRET}\n` });
    expect(codeOf('tradelens', { body: Buffer.from(COMPACT), headers, secrets: [SECRET] })).toBe('secret_whitespace');
  });

  /** A Standard Webhooks request whose sender keyed the HMAC with the text of `secret`, checked against `secret`. */
  function keyedWithText(secret: string): VerifyInput {
    const content = signedContent('msg_1', 1_700_000_000, Buffer.from(COMPACT));
    const signature = hmacSha256(Buffer.from(secret, 'utf8'), content).toString('base64');
    return {
      body: Buffer.from(COMPACT),
      headers: { 'webhook-id': 'msg_1', 'webhook-timestamp': '1700000000', 'webhook-signature': `v1,${signature}` },
      secrets: [secret],
      now: () => 1_700_000_000_000,
    };
  }

  it('secret_not_base64_decoded: a Standard Webhooks sender keyed the HMAC with the whsec_ text', () => {
    expect(codeOf('standard-webhooks', keyedWithText(WHSEC))).toBe('secret_not_base64_decoded');
  });

  it('secret_not_base64_decoded with a secret that is not whsec_ base64 says so, not that the sender failed to decode it', () => {
    expect(diagnose(scheme('standard-webhooks'), keyedWithText('my-plain-secret-for-sw'))).toEqual({
      code: 'secret_not_base64_decoded',
      explanation:
        'The signature matches the secret\'s text used as the key, and the secret is not a "whsec_<base64>" secret: the sender uses it as text, while standard-webhooks needs a base64 key.',
      fix: 'Use a "whsec_<base64>" secret at both ends (the Standard Webhooks libraries generate one), or switch this listener to the scheme the sender uses (LISTEN_SCHEME / --scheme).',
    });
  });

  it('secret_base64_decoded: a sender decoded a whsec_ secret that this scheme uses as text', () => {
    const key = Buffer.from(WHSEC.slice('whsec_'.length), 'base64');
    const headers = { 'x-hub-signature-256': `sha256=${hmacSha256(key, COMPACT).toString('hex')}` };
    expect(codeOf('github', { body: Buffer.from(COMPACT), headers, secrets: [WHSEC] })).toBe('secret_base64_decoded');
  });
});

describe('diagnose: the digest is right, the header is not', () => {
  const digest = hmacSha256(SECRET, COMPACT);
  const body = Buffer.from(COMPACT);

  it('hex_instead_of_base64 (typeform) / base64_instead_of_hex (github)', () => {
    expect(codeOf('typeform', { body, headers: { 'typeform-signature': `sha256=${digest.toString('hex')}` }, secrets: [SECRET] })).toBe(
      'hex_instead_of_base64',
    );
    expect(codeOf('github', { body, headers: { 'x-hub-signature-256': `sha256=${digest.toString('base64')}` }, secrets: [SECRET] })).toBe(
      'base64_instead_of_hex',
    );
  });

  it('wrong_prefix: missing, different, or not expected at all', () => {
    const missing = diagnose(scheme('github'), { body, headers: { 'x-hub-signature-256': digest.toString('hex') }, secrets: [SECRET] });
    expect(missing).toEqual({
      code: 'wrong_prefix',
      explanation: 'The digest is right but the header has no "sha256=" prefix.',
      fix: 'Write the header as "sha256=<digest>".',
    });
    expect(codeOf('typeform', { body, headers: { 'typeform-signature': `sha1=${digest.toString('base64')}` }, secrets: [SECRET] })).toBe('wrong_prefix');
    expect(codeOf('tradelens', { body, headers: { 'x-gtd-signature': `sha256=${digest.toString('hex')}` }, secrets: [SECRET] })).toBe('wrong_prefix');
  });

  it('wrong_prefix: "v1=" instead of "v1," in a Standard Webhooks list', () => {
    const headers = scheme('standard-webhooks').sign({ body, secret: WHSEC, id: 'msg_1', now: () => 1_700_000_000_000 });
    const broken = { ...headers, 'webhook-signature': (headers['webhook-signature'] ?? '').replace('v1,', 'v1=') };
    expect(codeOf('standard-webhooks', { body, headers: broken, secrets: [WHSEC], now: () => 1_700_000_000_000 })).toBe('wrong_prefix');
  });
  it('wrong_prefix quotes at most 40 characters of the label the sender wrote', () => {
    const label = 'X'.repeat(10_000);
    const found = diagnose(scheme('bracken'), { body, headers: { authorization: `${label} ${digest.toString('base64')}` }, secrets: [SECRET] });
    expect(found?.explanation).toBe(`The digest is right but the header starts with "${'X'.repeat(40)}…" instead of "HMACSHA256 ".`);
    const list = diagnose(scheme('standard-webhooks'), {
      body,
      headers: { 'webhook-id': 'msg_1', 'webhook-timestamp': '1700000000', 'webhook-signature': `${label}=${sign(body)}` },
      secrets: [WHSEC],
      now: () => 1_700_000_000_000,
    });
    expect(list?.explanation).toBe(`The digest is right but a signature in the list is written with "${'X'.repeat(40)}…" instead of "v1,".`);
    function sign(bytes: Buffer): string {
      return hmacSha256(Buffer.from(WHSEC.slice(6), 'base64'), signedContent('msg_1', 1_700_000_000, bytes)).toString('base64');
    }
  });

  it('wrong_prefix writes a no-break space in the label as \\u00a0 (it prints like a space)', () => {
    const found = diagnose(scheme('bracken'), { body, headers: { authorization: `Bearer\u00a0${digest.toString('base64')}` }, secrets: [SECRET] });
    expect(found?.explanation).toBe('The digest is right but the header starts with "Bearer\\u00a0" instead of "HMACSHA256 ".');
  });

  it('wrong_prefix in a list names the entry that was relabelled, not the first one', () => {
    const now = () => 1_700_000_000_000;
    const headers = scheme('standard-webhooks').sign({ body, secret: WHSEC, id: 'msg_1', now });
    const other = scheme('standard-webhooks').sign({ body, secret: `whsec_${Buffer.from('another key, 24 bytes long').toString('base64')}`, id: 'msg_1', now });
    const list = `${other['webhook-signature']} ${(headers['webhook-signature'] ?? '').replace('v1,', 'v1=')}`;
    expect(diagnose(scheme('standard-webhooks'), { body, headers: { ...headers, 'webhook-signature': list }, secrets: [WHSEC], now })).toEqual({
      code: 'wrong_prefix',
      explanation: 'The digest is right but a signature in the list is written with "v1=" instead of "v1,".',
      fix: 'Write the header as "v1,<digest>".',
    });
  });
});

describe('diagnose: timestamps', () => {
  const body = Buffer.from(COMPACT);
  const headers = scheme('standard-webhooks').sign({ body, secret: WHSEC, id: 'msg_1', now: () => 1_700_000_000_000 });

  it('stale_timestamp says by how much and that the signature itself holds', () => {
    const found = diagnose(scheme('standard-webhooks'), { body, headers, secrets: [WHSEC], now: () => 1_700_000_432_000 });
    expect(found?.code).toBe('stale_timestamp');
    expect(found?.explanation).toBe('The request was signed 7 min 12 s ago, outside the 5 min window, and the signature itself is valid.');
    expect(found?.fix).toContain('--now 1700000000');
  });

  it('future_timestamp says by how much, and names a second problem when there is one', () => {
    const found = diagnose(scheme('standard-webhooks'), { body: Buffer.from(`${COMPACT}\n`), headers, secrets: [WHSEC], now: () => 1_699_999_000_000 });
    expect(found?.code).toBe('future_timestamp');
    expect(found?.explanation).toMatch(
      /^The request was signed 16 min 40 s in the future, outside the 5 min window, and the signature does not match either \(trailing_newline_added: /,
    );
  });
});

describe('diagnose: when there is nothing to say', () => {
  it('returns undefined for a valid request, a wrong secret, or a missing signature', () => {
    expect(diagnose(scheme('bracken'), request('bracken', COMPACT, COMPACT))).toBeUndefined();
    expect(diagnose(scheme('bracken'), request('bracken', COMPACT, COMPACT, ['another-secret']))).toBeUndefined();
    expect(diagnose(scheme('bracken'), { body: Buffer.from(COMPACT), headers: {}, secrets: [SECRET] })).toBeUndefined();
  });

  it('JSON nested too deeply for JSON.stringify (which JSON.parse still reads) skips the JSON probes instead of throwing', () => {
    const deep = `${'['.repeat(30_000)}${']'.repeat(30_000)}`;
    expect(() => JSON.stringify(JSON.parse(deep))).toThrow(RangeError);
    expect(diagnose(scheme('bracken'), request('bracken', COMPACT, deep))).toBeUndefined();
  });

  it('a malformed or foreign signature header is diagnosed from the header alone: the body probes are not run', () => {
    // Only a header probe can fix such a header, and the body probes parse and re-serialize the
    // body (about 100 ms per MiB of JSON) for a request anyone can send without a secret.
    let reads = 0;
    const body = Buffer.from(COMPACT);
    const input = (authorization: string): VerifyInput => ({
      get body() {
        reads += 1;
        return body;
      },
      headers: { authorization },
      secrets: [SECRET],
    });
    for (const authorization of ['Bearer xyz', 'HMACSHA256 not-base64']) {
      reads = 0;
      expect(diagnose(scheme('bracken'), input(authorization))).toBeUndefined();
      expect(reads).toBeLessThanOrEqual(2); // verify() once, and a relabelled header's copy of the input
    }
    expect(diagnose(scheme('bracken'), input(`Bearer ${hmacSha256(SECRET, COMPACT).toString('base64')}`))?.code).toBe('wrong_prefix');
  });

  it('skips the body probes for bodies over maxBodyBytes', () => {
    const input = request('guuru', COMPACT, `${COMPACT}\n`);
    expect(diagnose(scheme('guuru'), input, { maxBodyBytes: 10 })).toBeUndefined();
  });
});

describe('explainMismatch (the listener hook)', () => {
  it('is one line: explanation, fix and [code]', () => {
    const input = request('bracken', COMPACT, `${COMPACT}\n`);
    expect(explainMismatch(scheme('bracken'), input)).toBe(
      'The signature matches the body without its final newline: a newline was added after signing (editors, echo and heredocs add one). ' +
        'Save bodies without a trailing newline (printf, not echo), or verify the bytes exactly as received. [trailing_newline_added]',
    );
    expect(createMismatchExplainer(scheme('bracken'))(input)).toBe(explainMismatch(scheme('bracken'), input));
    expect(createMismatchExplainer(scheme('bracken'))(request('bracken', COMPACT, COMPACT, ['x']))).toBeUndefined();
  });
});
