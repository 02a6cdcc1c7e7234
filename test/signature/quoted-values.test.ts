/**
 * What a failed check quotes of the sender's own values (a timestamp, a scheme word, a parameter
 * name, signature entries) is cut short: the listener writes the message into its log line and
 * journal for every refused request, and no secret is needed to be refused, so a sender must not
 * be able to make those as large as its body.
 */
import { describe, expect, it } from 'vitest';
import { findScheme } from '../../steps/lib/signature/registry.ts';
import type { Verifier, VerifyInput } from '../../steps/lib/signature/types.ts';

const LONG = '9'.repeat(100_000);

function messageOf(name: string, input: Omit<VerifyInput, 'secrets'>): string {
  const secret = name === 'standard-webhooks' ? 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' : 's3cret-0123456789';
  const result = (findScheme(name) as Verifier).verify({ secrets: [secret], ...input });
  if (result.ok) throw new Error('expected a failure');
  return result.message;
}

describe('failure messages quote at most 40 characters of what the sender wrote', () => {
  it('bracken: the Authorization scheme word', () => {
    const message = messageOf('bracken', { body: Buffer.from('{}'), headers: { authorization: `${'B'.repeat(10_000)} abc` } });
    expect(message).toBe(`The Authorization header starts with "${'B'.repeat(40)}…", not "HMACSHA256".`);
  });

  it('standard-webhooks: the timestamp, and the first three signature entries only', () => {
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': '1614265330', 'webhook-signature': 'v2,a '.repeat(3000) };
    expect(messageOf('standard-webhooks', { body: Buffer.from('{}'), headers: { ...headers, 'webhook-timestamp': LONG } })).toBe(
      `The webhook-timestamp "${'9'.repeat(40)}…" is not whole Unix seconds.`,
    );
    expect(messageOf('standard-webhooks', { body: Buffer.from('{}'), headers })).toBe(
      'The webhook-signature header has no "v1,<base64>" entry (entries start "v2,a", "v2,a", "v2,a", … 3000 in all).',
    );
  });

  it('github, tradelens: a prefix that is not the expected one', () => {
    const github = messageOf('github', { body: Buffer.from('{}'), headers: { 'x-hub-signature-256': `${'s'.repeat(10_000)}=abc` } });
    expect(github).toBe(`The X-Hub-Signature-256 value starts with "${'s'.repeat(40)}…", not "sha256=" (a different algorithm or scheme).`);
    const tradelens = messageOf('tradelens', { body: Buffer.from('{}'), headers: { 'x-gtd-signature': `${'s'.repeat(10_000)}=abc` } });
    expect(tradelens).toBe(`The X-GTD-Signature value starts with "${'s'.repeat(40)}…", but this scheme sends the bare digest with no prefix.`);
  });

  it('vonage: a timestamp parameter and a parameter name from the body', () => {
    const sig = 'a'.repeat(64);
    const long = LONG.slice(0, 60_000); // a Vonage body over 64 KiB is refused before it is read
    const stamp = messageOf('vonage', { body: Buffer.from(JSON.stringify({ sig, timestamp: long })), headers: {} });
    expect(stamp).toBe(`The "timestamp" parameter "${'9'.repeat(40)}…" is not whole Unix seconds.`);
    const key = messageOf('vonage', { body: Buffer.from(JSON.stringify({ sig, [long]: {} })), headers: {} });
    expect(key).toBe(`The JSON parameter "${'9'.repeat(40)}…" is not a string, number or boolean.`);
    const type = messageOf('vonage', { body: Buffer.from('a=1'), headers: { 'content-type': `text/${'x'.repeat(5000)}` } });
    expect(type).toBe(`The body's content-type "text/${'x'.repeat(35)}…" is neither a form nor JSON.`);
  });
});

describe('failure messages write what is not printable ASCII in what the sender wrote as \\uXXXX', () => {
  // Node hands header bytes over as Latin-1: a header can carry U+009B, which a terminal takes as
  // the start of an escape sequence, and U+00A0, which prints like a space. A Vonage JSON body can
  // carry any character, a right-to-left override included.
  it('bracken: a C1 control in the scheme word', () => {
    const message = messageOf('bracken', { body: Buffer.from('{}'), headers: { authorization: '\u009b31mBearer abc' } });
    expect(message).toBe('The Authorization header starts with "\\u009b31mBearer", not "HMACSHA256".');
  });

  it('standard-webhooks: the timestamp and the signature entries', () => {
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': '1614265330', 'webhook-signature': 'v2\u0085a' };
    expect(messageOf('standard-webhooks', { body: Buffer.from('{}'), headers: { ...headers, 'webhook-timestamp': '16\u00a014' } })).toBe(
      'The webhook-timestamp "16\\u00a014" is not whole Unix seconds.',
    );
    expect(messageOf('standard-webhooks', { body: Buffer.from('{}'), headers })).toBe(
      'The webhook-signature header has no "v1,<base64>" entry (entries start "v2\\u0085a").',
    );
  });

  it('vonage: a parameter from the body, and the content-type', () => {
    const sig = 'a'.repeat(64);
    const stamp = messageOf('vonage', { body: Buffer.from(JSON.stringify({ sig, timestamp: '\u202e1700000000' })), headers: {} });
    expect(stamp).toBe('The "timestamp" parameter "\\u202e1700000000" is not whole Unix seconds.');
    const type = messageOf('vonage', { body: Buffer.from('a=1'), headers: { 'content-type': 'text/\u009b2J' } });
    expect(type).toBe('The body\'s content-type "text/\\u009b2J" is neither a form nor JSON.');
  });
});
