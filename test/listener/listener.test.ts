/**
 * The listener over loopback: a real server on a free port, signatures made with `bracken.sign`,
 * every answer checked for status and exact `{error, code}` body, and every request read back from
 * the journal file with its verdict and code.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createServer, type Server } from 'node:net';
import { openJournal } from '../../steps/lib/journal/journal.ts';
import { startListener } from '../../steps/lib/listener/listener.ts';
import { LISTEN_PORT_IN_USE, ListenerError } from '../../steps/lib/core/errors.ts';
import { bracken } from '../../steps/lib/signature/bracken.ts';
import { standardWebhooks } from '../../steps/lib/signature/standard-webhooks.ts';
import {
  journalLines,
  journalRecords,
  OLD_SECRET,
  refusalFor,
  parseRaw,
  rawExchange,
  send,
  SECRET,
  signed,
  startTestListener,
  userCreate,
  type TestListener,
} from '../helpers/listener.ts';
import { tempDir } from '../helpers/temp-dir.ts';

let t: TestListener;
const handled: string[] = [];

beforeEach(async () => {
  handled.length = 0;
  t = await startTestListener({ handler: (d) => void handled.push(d.id) });
});
afterEach(async () => {
  await t.close();
});

// The listener passes the scheme's own reason and message through, except where the message speaks
// of its secrets (a mismatch, none configured): a stranger is told nothing about those. The codes are the contract.
const BODY = signed(userCreate(1)).body;
const MISSING = refusalFor(BODY, {});
const MALFORMED = refusalFor(BODY, { authorization: `HMACSHA256 ${Buffer.alloc(16, 7).toString('base64')}` });
const MISMATCH = { error: 'The signature does not match the request: it was made with another secret, or over other bytes.', code: 'signature_mismatch' };

async function lastRecord(): Promise<Record<string, unknown>> {
  const records = await journalRecords(t.dir);
  return records.at(-1) ?? {};
}

describe('POST /webhooks with a valid signature', () => {
  it('answers 200 {"received":true,"id"} and records the exact bytes, headers and event', async () => {
    const { body, headers } = signed(userCreate(1));
    const answer = await send(t.listener.url, { body, headers });
    const record = await lastRecord();
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ received: true, id: record.id });
    expect(record).toMatchObject({
      method: 'POST',
      url: '/webhooks',
      status: 200,
      verdict: 'valid',
      code: 'ok',
      event: 'User_Create',
      secretIndex: 0,
      scheme: 'bracken',
      bodyBytes: body.length,
    });
    expect((record.body as Buffer).equals(body)).toBe(true);
    expect(record.headers).toContainEqual(['authorization', headers.authorization]);
    await t.listener.idle();
    expect(handled).toEqual([record.id]);
    expect(t.listener.feed.list()[0]).toMatchObject({ id: record.id, handler: 'done' });
  });

  it('accepts a previous secret during a rotation and records which one matched', async () => {
    await t.close();
    t = await startTestListener({ secrets: () => [SECRET, OLD_SECRET] });
    const answer = await send(t.listener.url, signed(userCreate(2), OLD_SECRET));
    expect(answer.status).toBe(200);
    expect(await lastRecord()).toMatchObject({ status: 200, code: 'ok', secretIndex: 1 });
  });

  it('reads the event name from "event" or "type" when there is no "eventname"', async () => {
    await send(t.listener.url, signed({ type: 'Module_Start', userkey: 1 }));
    expect(await lastRecord()).toMatchObject({ event: 'Module_Start' });
  });
});

describe('POST /webhooks refusals (401 for any failed signature check)', () => {
  it('no Authorization header → 401 missing_signature', async () => {
    const answer = await send(t.listener.url, { body: signed(userCreate(1)).body, headers: { 'content-type': 'application/json' } });
    expect([answer.status, answer.json]).toEqual([401, MISSING]);
    expect(await lastRecord()).toMatchObject({ status: 401, verdict: 'invalid', code: 'missing_signature' });
  });

  it('a scheme word other than HMACSHA256 → 401 wrong_scheme', async () => {
    const { body, headers } = signed(userCreate(1));
    const answer = await send(t.listener.url, { body, headers: { ...headers, authorization: headers.authorization!.replace('HMACSHA256', 'Bearer') } });
    expect([answer.status, answer.json]).toEqual([401, refusalFor(body, { authorization: 'Bearer x' })]);
    expect((answer.json as { code: string }).code).toBe('wrong_scheme');
    expect(await lastRecord()).toMatchObject({ status: 401, verdict: 'invalid', code: 'wrong_scheme' });
  });

  it('a signature that is not base64 → 401 malformed_signature', async () => {
    const { body } = signed(userCreate(1));
    const answer = await send(t.listener.url, { body, headers: { authorization: `HMACSHA256 ${'!'.repeat(43)}=` } });
    expect([answer.status, answer.json]).toEqual([401, refusalFor(body, { authorization: `HMACSHA256 ${'!'.repeat(43)}=` })]);
    expect((answer.json as { code: string }).code).toBe('malformed_signature');
    expect(await lastRecord()).toMatchObject({ code: 'malformed_signature' });
  });

  it('a signature of the wrong length (a 16-byte value) → 401 malformed_signature', async () => {
    const { body } = signed(userCreate(1));
    const answer = await send(t.listener.url, { body, headers: { authorization: `HMACSHA256 ${Buffer.alloc(16, 7).toString('base64')}` } });
    expect([answer.status, answer.json]).toEqual([401, MALFORMED]);
  });

  it('signed with another secret → 401 signature_mismatch', async () => {
    const answer = await send(t.listener.url, signed(userCreate(1), 'not-the-secret'));
    expect([answer.status, answer.json]).toEqual([401, MISMATCH]);
    expect(await lastRecord()).toMatchObject({ status: 401, verdict: 'invalid', code: 'signature_mismatch' });
  });

  it('one body byte changed after signing → 401 signature_mismatch, and the changed bytes are recorded', async () => {
    const { body, headers } = signed(userCreate(1));
    const tampered = Buffer.from(body);
    tampered[tampered.indexOf('1001')] = '9'.charCodeAt(0);
    const answer = await send(t.listener.url, { body: tampered, headers });
    expect([answer.status, answer.json]).toEqual([401, MISMATCH]);
    expect(((await lastRecord()).body as Buffer).equals(tampered)).toBe(true);
    expect(handled).toEqual([]);
  });

  it('with no secret configured → 401 no_secret', async () => {
    await t.close();
    t = await startTestListener({ secrets: () => [] });
    const answer = await send(t.listener.url, signed(userCreate(1)));
    expect([answer.status, answer.json]).toEqual([401, { error: 'The listener cannot verify signatures yet.', code: 'no_secret' }]);
    // What to do is the operator's to read: in the record and the log line, not in the answer.
    expect((await lastRecord()).reason).toBe('No secret is configured to verify with (set WEBHOOK_SECRET, or run step 2).');
    expect(t.logs.at(-1)).toContain('401 invalid no_secret');
    expect(t.logs.at(-1)).toContain('(set WEBHOOK_SECRET, or run step 2)');
  });

  it('with two secrets configured, a mismatch tells the sender nothing of how many; the record and the log do', async () => {
    await t.close();
    t = await startTestListener({ secrets: () => [SECRET, OLD_SECRET] });
    const answer = await send(t.listener.url, signed(userCreate(1), 'not-the-secret'));
    expect([answer.status, answer.json]).toEqual([401, MISMATCH]);
    expect(answer.text).not.toMatch(/2|secrets/);
    expect((await lastRecord()).reason).toBe('The signature does not match the body under any of the 2 configured secrets.');
    expect(t.logs.at(-1)).toMatch(/401 invalid signature_mismatch .* any of the 2 configured secrets\.$/);
  });

  it('Standard Webhooks with an unusable second secret: the sender is not told which secret, the record is', async () => {
    await t.close();
    const secret = `whsec_${Buffer.from('a key of twenty-four bytes or so').toString('base64')}`;
    t = await startTestListener({ scheme: standardWebhooks, secrets: () => [secret, 'not-a-whsec-secret'] });
    const body = Buffer.from(JSON.stringify(userCreate(1)));
    const answer = await send(t.listener.url, { body, headers: { 'content-type': 'application/json', ...standardWebhooks.sign({ body, secret }) } });
    expect([answer.status, answer.json]).toEqual([401, { error: 'The listener cannot verify signatures yet.', code: 'malformed_secret' }]);
    expect((await lastRecord()).reason).toBe('Secret #2 is not a "whsec_<base64>" secret, which Standard Webhooks requires.');
  });

  it('Standard Webhooks with webhook-signature on two lines, the matching one first → 200 (Node joins the lines with ", ")', async () => {
    await t.close();
    const secret = `whsec_${Buffer.from('a key of twenty-four bytes or so').toString('base64')}`;
    t = await startTestListener({ scheme: standardWebhooks, secrets: () => [secret] });
    const body = Buffer.from(JSON.stringify(userCreate(1)));
    const signedHeaders = standardWebhooks.sign({ body, secret });
    const head = [
      'POST /webhooks HTTP/1.1',
      'Host: 127.0.0.1',
      'Content-Type: application/json',
      `Content-Length: ${body.length}`,
      `webhook-id: ${signedHeaders['webhook-id']}`,
      `webhook-timestamp: ${signedHeaders['webhook-timestamp']}`,
      `webhook-signature: ${signedHeaders['webhook-signature']}`,
      `webhook-signature: v1,${Buffer.alloc(32, 7).toString('base64')}`,
      'Connection: close',
    ];
    const answer = parseRaw(await rawExchange(t.listener.port, [`${head.join('\r\n')}\r\n\r\n`, body]));
    expect([answer.status, answer.body]).toEqual([200, { received: true, id: expect.any(String) }]);
  });

  it('Standard Webhooks with two webhook-signature lines, neither matching: the record does not say only one line is read', async () => {
    await t.close();
    const secret = `whsec_${Buffer.from('a key of twenty-four bytes or so').toString('base64')}`;
    t = await startTestListener({ scheme: standardWebhooks, secrets: () => [secret] });
    const body = Buffer.from(JSON.stringify(userCreate(1)));
    const signedHeaders = standardWebhooks.sign({ body, secret });
    const head = [
      'POST /webhooks HTTP/1.1',
      'Host: 127.0.0.1',
      `Content-Length: ${body.length}`,
      `webhook-id: ${signedHeaders['webhook-id']}`,
      `webhook-timestamp: ${signedHeaders['webhook-timestamp']}`,
      `webhook-signature: v1,${Buffer.alloc(32, 6).toString('base64')}`,
      `webhook-signature: v1,${Buffer.alloc(32, 7).toString('base64')}`,
      'Connection: close',
    ];
    const answer = parseRaw(await rawExchange(t.listener.port, [`${head.join('\r\n')}\r\n\r\n`, body]));
    expect(answer.status).toBe(401);
    expect((await lastRecord()).reason).toBe('No v1 signature matches "{id}.{timestamp}.{body}" under the configured secret.');
  });

  it('when the secrets cannot be loaded → 500 secret_unavailable; the cause (a path) in the record and the log, not in the answer', async () => {
    await t.close();
    const cause = '/home/me/.bracken/state/webhook.json is not valid JSON.';
    t = await startTestListener({
      secrets: () => {
        throw new Error(cause);
      },
    });
    const answer = await send(t.listener.url, signed(userCreate(1)));
    expect([answer.status, answer.json]).toEqual([500, { error: 'The listener could not load its webhook secret.', code: 'secret_unavailable' }]);
    expect((await lastRecord()).reason).toBe(`The listener could not load its webhook secret. ${cause}`);
    expect(t.logs.at(-1)).toContain(cause);
  });

  it('adds the explainMismatch text to the log line and the record, but not to the answer', async () => {
    await t.close();
    t = await startTestListener({ explainMismatch: (input) => `Diagnosis for ${input.body.length} bytes.` });
    const { body, headers } = signed(userCreate(1), 'wrong');
    const answer = await send(t.listener.url, { body, headers });
    expect(answer.json).toEqual(MISMATCH);
    expect((await lastRecord()).reason).toBe(`${refusalFor(body, headers).error} Diagnosis for ${body.length} bytes.`);
    expect(t.logs.some((line) => line.includes('401 invalid signature_mismatch') && line.endsWith(`Diagnosis for ${body.length} bytes.`))).toBe(true);
  });
});

describe('POST /webhooks bodies', () => {
  it('a body over the limit with Content-Length → 413 body_too_large', async () => {
    const body = Buffer.alloc(5000, 'a');
    const answer = await send(t.listener.url, { body, headers: bracken.sign({ body, secret: SECRET }) });
    expect(answer.status).toBe(413);
    expect(answer.json).toEqual({ error: 'The body is 5000 bytes; the limit is 4096 (LISTEN_BODY_LIMIT).', code: 'body_too_large' });
    expect(await lastRecord()).toMatchObject({ status: 413, verdict: 'rejected', code: 'body_too_large', bodyBytes: 5000 });
    expect((await lastRecord()).body).toHaveLength(0);
  });

  it('a chunked body with no Content-Length that grows over the limit → 413 body_too_large', async () => {
    async function* chunks() {
      for (let i = 0; i < 10; i += 1) yield Buffer.alloc(1000, 'b');
    }
    const answer = await send(t.listener.url, { body: Readable.from(chunks()), headers: { 'content-type': 'application/json' } });
    expect([answer.status, (answer.json as { code: string }).code]).toEqual([413, 'body_too_large']);
    const record = await lastRecord();
    expect(record).toMatchObject({ status: 413, code: 'body_too_large', bodyBytes: 10_000 });
    expect(record.headers).toContainEqual(['transfer-encoding', 'chunked']);
  });

  it('a body exactly at the limit is accepted', async () => {
    const payload = { eventname: 'User_Create', pad: '' };
    payload.pad = 'x'.repeat(4096 - JSON.stringify(payload).length);
    const answer = await send(t.listener.url, signed(payload));
    expect(answer.status).toBe(200);
  });

  it('a valid signature over a body that is not JSON → 400 invalid_json', async () => {
    const answer = await send(t.listener.url, signed('{"eventname": "User_Create",'));
    expect(answer.status).toBe(400);
    expect((answer.json as { code: string }).code).toBe('invalid_json');
    expect((answer.json as { error: string }).error).toMatch(/^The body is not valid UTF-8 JSON\. \(.+\)$/);
    expect(await lastRecord()).toMatchObject({ status: 400, verdict: 'valid', code: 'invalid_json' });
    expect((await journalLines(t.dir)).at(-1)).toMatchObject({ type: 'delivery', handler: 'not-run' });
    expect(handled).toEqual([]);
  });

  it('a valid signature with a Content-Type that is not JSON → 415 unsupported_media_type, recorded', async () => {
    const { body, headers } = signed(userCreate(7));
    const answer = await send(t.listener.url, { body, headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' } });
    expect([answer.status, answer.json]).toEqual([
      415,
      {
        error: 'The Content-Type is not JSON: webhook deliveries are application/json. (got "application/x-www-form-urlencoded")',
        code: 'unsupported_media_type',
      },
    ]);
    expect(await lastRecord()).toMatchObject({ status: 415, verdict: 'valid', code: 'unsupported_media_type' });
    expect(handled).toEqual([]);
  });

  it('JSON media types with parameters or a +json suffix, and no Content-Type at all, are accepted', async () => {
    for (const contentType of ['application/json; charset=utf-8', 'APPLICATION/JSON', 'application/cloudevents+json', undefined]) {
      const { body, headers } = signed({ eventname: 'User_Create', n: String(contentType) });
      const { 'content-type': _dropped, ...rest } = headers;
      const answer = await send(t.listener.url, { body, headers: contentType === undefined ? rest : { ...rest, 'content-type': contentType } });
      expect([contentType, answer.status]).toEqual([contentType, 200]);
    }
  });

  it('an unsigned request with a non-JSON Content-Type is refused for its signature first (401, not 415)', async () => {
    const answer = await send(t.listener.url, { body: 'a=1', headers: { 'content-type': 'text/plain' } });
    expect(answer.status).toBe(401);
    expect((answer.json as { code: string }).code).toBe('missing_signature');
  });

  it('a valid signature over bytes that are not UTF-8 → 400 invalid_json saying so', async () => {
    const body = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]); // {"a":"\xff\xfe"}
    const answer = await send(t.listener.url, { body, headers: bracken.sign({ body, secret: SECRET }) });
    expect([answer.status, answer.json]).toEqual([400, { error: 'The body is not valid UTF-8 JSON. (it is not valid UTF-8)', code: 'invalid_json' }]);
    expect(((await lastRecord()).body as Buffer).equals(body)).toBe(true);
  });

  it('an empty body: verified first, so unsigned → 401 missing_signature and signed → 400 empty_body', async () => {
    const unsigned = await send(t.listener.url, { body: '' });
    expect([unsigned.status, unsigned.json]).toEqual([401, MISSING]);
    const body = Buffer.alloc(0);
    const answer = await send(t.listener.url, { body, headers: bracken.sign({ body, secret: SECRET }) });
    expect([answer.status, answer.json]).toEqual([400, { error: 'The body is empty: a webhook delivery carries a JSON event.', code: 'empty_body' }]);
    expect(await lastRecord()).toMatchObject({ status: 400, verdict: 'valid', code: 'empty_body', bodyBytes: 0 });
  });

  it('the live feed keeps small bodies in about their own size of memory, not a shared 8 KiB pool slab each', async () => {
    for (let n = 0; n < 8; n += 1) await Promise.all(Array.from({ length: 50 }, (_, i) => send(t.listener.url, signed(userCreate(n * 50 + i)))));
    const views = t.listener.feed.list();
    const bodyBytes = views.reduce((sum, view) => sum + view.body.length, 0);
    const held = [...new Set(views.map((view) => view.body.buffer))].reduce((sum, memory) => sum + memory.byteLength, 0);
    expect(views).toHaveLength(400);
    // Buffer.concat's bodies held ~10× their bytes (the pool slabs they shared with each request's other
    // buffers); bodies of their own slabs hold at most two 64 KiB slabs more than their bytes.
    expect(held).toBeLessThanOrEqual(bodyBytes + 2 * 64 * 1024);
  });
});

describe('the journal deleted while the listener runs', () => {
  it('a delivery is not acknowledged once the journal file is gone (503 journal_unavailable); the log line has the code, and the first says to restart', async () => {
    const first = await send(t.listener.url, signed(userCreate(1)));
    expect(first.status).toBe(200);
    // What `rm -rf .workbench` does to a running step 3: the open file lives on, unlinked, until the process exits.
    await rm(t.dir, { recursive: true, force: true });
    const second = await send(t.listener.url, signed(userCreate(2)));
    expect([second.status, second.json]).toEqual([503, { error: 'The delivery could not be stored; try again.', code: 'journal_unavailable' }]);
    const notStored =
      /^\S+ POST \/webhooks 503 valid journal_unavailable User_Create .* \(NOT stored: The journal file \S+journal-000001\.bin was deleted while the listener ran; restart the listener to start a new journal\. \[WORKBENCH_STATE_WRITE_FAILED\]\)$/;
    const next = 'Next: Restart the listener (Ctrl-C, then npm run step:3): it starts a new journal. Until then it answers 503 and the sender retries.';
    expect(t.logs.slice(-2)).toEqual([expect.stringMatching(notStored), next]);
    // The same outage: each request still gets its line, the advice is not repeated under it.
    expect((await send(t.listener.url, signed(userCreate(3)))).status).toBe(503);
    expect(t.logs.at(-1)).toMatch(notStored);
    expect(t.logs.filter((line) => line === next)).toHaveLength(1);
    await t.listener.idle();
    expect(handled).toEqual([(first.json as { id: string }).id]);
  });
});

describe('other methods and paths', () => {
  it('GET /webhooks → 405 method_not_allowed with Allow: POST', async () => {
    const answer = await send(t.listener.url, { method: 'GET' });
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('POST');
    expect(answer.json).toEqual({ error: 'GET is not allowed here: send webhooks with POST.', code: 'method_not_allowed' });
    expect(await lastRecord()).toMatchObject({ method: 'GET', status: 405, verdict: 'rejected', code: 'method_not_allowed' });
  });

  it('an unknown path → 404 not_found', async () => {
    const answer = await send(`${t.listener.origin}/admin?x=1`, signed(userCreate(1)));
    expect([answer.status, answer.json]).toEqual([404, { error: 'Nothing here: webhooks are received at POST /webhooks.', code: 'not_found' }]);
    expect(await lastRecord()).toMatchObject({ url: '/admin?x=1', status: 404, code: 'not_found' });
  });
});

describe('malformed HTTP never crashes the listener', () => {
  it('header values with non-ASCII bytes are read and refused as a malformed signature', async () => {
    const body = signed(userCreate(1)).body;
    const raw = await rawExchange(t.listener.port, [
      Buffer.concat([
        Buffer.from(`POST /webhooks HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Odd: caf`),
        Buffer.from([0xe9, 0xff]),
        Buffer.from(`\r\nAuthorization: HMACSHA256 `),
        Buffer.from([0xc3, 0x28, 0xa0, 0xa1]),
        Buffer.from(`\r\nContent-Length: ${body.length}\r\n\r\n`),
        body,
      ]),
    ]);
    expect(parseRaw(raw)).toMatchObject({ status: 401, body: MALFORMED });
    const record = await lastRecord();
    expect(record).toMatchObject({ status: 401, code: 'malformed_signature' });
    expect(record.headers).toContainEqual(['X-Odd', 'caf\u00e9\u00ff']);
  });

  it('a control byte in a header → 400 bad_request as JSON, journaled', async () => {
    const raw = await rawExchange(t.listener.port, ['POST /webhooks HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0001b\r\nContent-Length: 2\r\n\r\n{}']);
    const { status, body } = parseRaw(raw);
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'bad_request' });
    expect(await lastRecord()).toMatchObject({ method: 'POST', url: '/webhooks', status: 400, verdict: 'rejected', code: 'bad_request' });
  });

  it('an Expect other than 100-continue → 417 expectation_failed as JSON, journaled once with its headers, the connection closed', async () => {
    const { body, headers } = signed(userCreate(1));
    const head = [`POST /webhooks HTTP/1.1`, 'Host: x', 'Expect: 200-ok', `Authorization: ${headers.authorization}`, `Content-Length: ${body.length}`];
    // The client sends the body anyway: it is not read, and the answer still closes the connection.
    const raw = await rawExchange(t.listener.port, [`${head.join('\r\n')}\r\n\r\n`, body]);
    const { status, head: answerHead, body: answer } = parseRaw(raw);
    expect(status).toBe(417);
    expect(answerHead.toLowerCase()).toContain('connection: close');
    expect(answer).toEqual({
      error: 'The Expect header asks for something other than 100-continue, which the listener does not do.',
      code: 'expectation_failed',
    });
    const records = (await journalRecords(t.dir)).filter((r) => r.code === 'expectation_failed');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ method: 'POST', url: '/webhooks', status: 417, verdict: 'rejected', bodyBytes: 0 });
    expect(records[0]?.headers).toContainEqual(['Expect', '200-ok']);
  });

  it('Expect: 100-continue is met: 100, then the delivery is verified and stored as usual', async () => {
    const { body, headers } = signed(userCreate(2));
    const head = [
      `POST /webhooks HTTP/1.1`,
      'Host: x',
      'Connection: close',
      'Expect: 100-continue',
      `Authorization: ${headers.authorization}`,
      `Content-Length: ${body.length}`,
    ];
    const raw = await rawExchange(t.listener.port, [`${head.join('\r\n')}\r\n\r\n`, body]);
    expect(raw.startsWith('HTTP/1.1 100 Continue\r\n\r\n')).toBe(true);
    const { status, body: answer } = parseRaw(raw.slice('HTTP/1.1 100 Continue\r\n\r\n'.length));
    expect([status, (answer as { received: boolean }).received]).toEqual([200, true]);
    expect(await lastRecord()).toMatchObject({ status: 200, code: 'ok', bodyBytes: body.length });
  });

  it('a client that never finishes its body → 408 request_timeout after requestTimeoutMs, journaled', async () => {
    await t.close();
    t = await startTestListener({ requestTimeoutMs: 300 });
    const raw = await rawExchange(t.listener.port, ['POST /webhooks HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"eventname"']);
    const { status, head, body } = parseRaw(raw);
    expect(status).toBe(408);
    expect(head.toLowerCase()).toContain('connection: close');
    expect(body).toEqual({ error: 'The body was not complete after 300 ms (12 bytes received).', code: 'request_timeout' });
    expect(await lastRecord()).toMatchObject({ status: 408, verdict: 'rejected', code: 'request_timeout', bodyBytes: 12 });
  });

  it('200 concurrent invalid requests are all refused, then a valid delivery still gets through', async () => {
    const pool = new Pool(t.listener.origin, { connections: 20 });
    try {
      const kinds = [
        {},
        { authorization: 'Bearer abc' },
        { authorization: 'HMACSHA256 short' },
        { authorization: bracken.sign({ body: Buffer.from('other'), secret: SECRET }).authorization! },
      ];
      const answers = await Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          const response = await pool.request({ path: '/webhooks', method: 'POST', headers: kinds[i % kinds.length]!, body: JSON.stringify(userCreate(i)) });
          await response.body.text();
          return response.statusCode;
        }),
      );
      expect(answers.filter((status) => status === 401)).toHaveLength(200);
      const valid = await send(t.listener.url, signed(userCreate(999)));
      expect(valid.status).toBe(200);
      const records = await journalRecords(t.dir);
      expect(records).toHaveLength(201);
      expect(records.filter((r) => r.verdict === 'invalid')).toHaveLength(200);
      expect(records.at(-1)).toMatchObject({ status: 200, code: 'ok' });
    } finally {
      await pool.close();
    }
  });
});

describe('startListener', () => {
  it('a port in use → ListenerError LISTEN_PORT_IN_USE naming LISTEN_PORT', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const dir = await tempDir('listener');
    const journal = await openJournal({ dir, maxBytes: 1 << 20, keepFiles: 2 });
    try {
      const error = await startListener({
        host: '127.0.0.1',
        port,
        scheme: bracken,
        secrets: () => [SECRET],
        bodyLimitBytes: 1024,
        requestTimeoutMs: 1000,
        journal,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ListenerError);
      expect(error).toMatchObject({
        code: LISTEN_PORT_IN_USE,
        message: `Port ${port} on 127.0.0.1 is already in use, so the listener cannot start (LISTEN_PORT=${port}).`,
      });
      expect((error as ListenerError).hint).toContain('set LISTEN_PORT to a free port');
    } finally {
      await journal.close();
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('prints one log line per request with status, verdict, code, event and a shortened signature', async () => {
    const { body, headers } = signed(userCreate(1));
    await send(t.listener.url, { body, headers });
    const line = t.logs.find((l) => l.includes(' POST /webhooks 200 ')) ?? '';
    const signature = headers.authorization!.slice('HMACSHA256 '.length);
    expect(line).toMatch(
      new RegExp(
        `^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z POST /webhooks 200 valid ok User_Create \\d+ms sig HMACSHA256 ${escapeRegExp(signature.slice(0, 6))}…\\(44 chars\\)$`,
      ),
    );
    expect(line).not.toContain(signature);
  });
});

describe('the log line', () => {
  it('replaces terminal control bytes that come from the payload', async () => {
    const answer = await send(t.listener.url, signed({ eventname: '\u001b[2JUser_Create' }));
    expect(answer.status).toBe(200);
    const line = t.logs.find((l) => l.includes(' POST /webhooks 200 ')) ?? '';
    expect(line).toContain(' ?[2JUser_Create ');
    expect(line).not.toContain('\u001b');
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

describe('delivery ids', () => {
  it('are unique and sort by arrival, also within one millisecond', async () => {
    const { newDeliveryId } = await import('../../steps/lib/listener/arrival.ts');
    const ids = Array.from({ length: 2000 }, () => newDeliveryId(1_700_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(newDeliveryId(1_700_000_000_001) > ids.at(-1)!).toBe(true);
  });
});

describe('JSON bodies', () => {
  it('a verified body with a UTF-8 byte order mark is accepted (RFC 8259 lets parsers ignore it)', async () => {
    const t = await startTestListener({ handler: () => {} });
    try {
      const payload = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(userCreate(9)))]);
      const answer = await send(t.listener.url, {
        body: payload,
        headers: { 'content-type': 'application/json', ...bracken.sign({ body: payload, secret: SECRET }) },
      });
      expect(answer.status).toBe(200);
      await t.listener.idle();
      expect(t.listener.feed.list()[0]).toMatchObject({ event: 'User_Create', handler: 'done' });
    } finally {
      await t.close();
    }
  });
});

describe('POST /webhooks, served before express, answers as the express routes do', () => {
  // `/webhooks` exactly goes straight to the webhook route; `/webhooks/` and `/webhooks?…` still reach it through
  // express. A user must not be able to tell them apart: the same status, headers and body shape, and the same records.
  const headOf = (raw: string) =>
    parseRaw(raw)
      .head.replace(/^date: .*$/im, 'date: <date>')
      .replace(/"id":"[^"]+"/, '"id":"<id>"')
      .replace(/^content-length: \d+$/im, 'content-length: <n>');

  it('gives the same answer, head and body, on /webhooks, /webhooks/ and /webhooks?source=test', async () => {
    const port = Number(new URL(t.listener.url).port);
    const answers: { head: string; body: unknown }[] = [];
    for (const [i, path] of ['/webhooks', '/webhooks/', '/webhooks?source=test'].entries()) {
      const { body, headers } = signed(userCreate(9000 + i));
      const head = [
        `POST ${path} HTTP/1.1`,
        'host: 127.0.0.1',
        'connection: close',
        `content-length: ${body.length}`,
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      ];
      const raw = await rawExchange(port, [`${head.join('\r\n')}\r\n\r\n`, body]);
      const { status, body: json } = parseRaw(raw);
      expect(status, raw).toBe(200);
      expect(json).toEqual({ received: true, id: expect.any(String) });
      answers.push({ head: headOf(raw), body: { ...(json as object), id: '<id>' } });
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    const records = await journalRecords(t.dir);
    expect(records.map((r) => [r.url, r.status, r.verdict])).toEqual([
      ['/webhooks', 200, 'valid'],
      ['/webhooks/', 200, 'valid'],
      ['/webhooks?source=test', 200, 'valid'],
    ]);
  });

  it('an error the pipeline does not expect still gets the recorded last-resort 500, and the listener keeps serving', async () => {
    const exploding = {
      ...bracken,
      verify: () => {
        throw new Error('verifier exploded');
      },
    };
    const broken = await startTestListener({ scheme: exploding });
    try {
      for (const n of [9100, 9101]) {
        const { body, headers } = signed(userCreate(n));
        const answer = await send(broken.listener.url, { method: 'POST', body, headers });
        expect(answer.status).toBe(500);
      }
      expect(broken.logs.filter((line) => line.includes('listener: unexpected error on POST /webhooks: Error: verifier exploded'))).toHaveLength(2);
      expect((await journalRecords(broken.dir)).map((r) => [r.status, r.code])).toEqual([
        [500, 'internal_error'],
        [500, 'internal_error'],
      ]);
    } finally {
      await broken.close();
    }
  });
});
