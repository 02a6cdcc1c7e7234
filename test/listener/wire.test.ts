/**
 * The listener as a hostile sender or a broken proxy meets it: raw bytes on a socket, where an HTTP
 * client library would have tidied the request up. Each test checks what goes back on the wire and
 * what the journal keeps (every request the listener answers is stored, once).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { bracken } from '../../steps/lib/signature/bracken.ts';
import { standardWebhooks } from '../../steps/lib/signature/standard-webhooks.ts';
import { journalRecords, parseRaw, rawExchange, SECRET, signed, startTestListener, userCreate, type TestListener } from '../helpers/listener.ts';

let t: TestListener;

beforeEach(async () => {
  t = await startTestListener({ handler: () => {} });
});
afterEach(async () => {
  await t.close();
});

/** A raw HTTP/1.1 request: request line, headers, blank line, body. */
function rawRequest(target: string, headers: Record<string, string>, body: Buffer | string = '', method = 'POST'): Buffer {
  const head = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), Buffer.from(body)]);
}

describe('a client that half-closes its side after sending the request', () => {
  it('still gets its answer (as nc -N, HTTP/1.0 clients and some proxies do), and the journal keeps what was sent', async () => {
    const { body, headers } = signed(userCreate(1));
    const raw = await rawExchange(t.listener.port, [rawRequest('/webhooks', { ...headers, 'Content-Length': String(body.length) }, body)], { endInput: true });
    // rawExchange resolves when the listener closes the connection, after the answer.
    const { status, body: answer } = parseRaw(raw);
    expect(status, raw).toBe(200);
    expect(answer).toEqual({ received: true, id: expect.any(String) });
    const records = await journalRecords(t.dir);
    expect(records.map((r) => [r.id, r.status, r.code])).toEqual([[(answer as { id: string }).id, 200, 'ok']]);
  });

  it('a refusal reaches it too', async () => {
    const raw = await rawExchange(t.listener.port, [rawRequest('/elsewhere', { 'Content-Length': '2' }, '{}')], { endInput: true });
    expect(parseRaw(raw)).toMatchObject({ status: 404, body: { code: 'not_found' } });
    expect((await journalRecords(t.dir)).map((r) => [r.url, r.status])).toEqual([['/elsewhere', 404]]);
  });
});

describe('the Host header (RFC 9112 3.2: exactly one in HTTP/1.1)', () => {
  const { body, headers } = signed(userCreate(9));
  const request = (hostLines: string[]) =>
    ['POST /webhooks HTTP/1.1', ...hostLines, `Authorization: ${headers.authorization}`, `Content-Length: ${body.length}`, '', body.toString('latin1')].join(
      '\r\n',
    );

  it.each([
    ['none', [], 'An HTTP/1.1 request must have a Host header (RFC 9112 3.2).'],
    ['two', ['Host: a.example', 'Host: b.example'], 'An HTTP/1.1 request must have one Host header, not 2 (RFC 9112 3.2).'],
  ])('%s → 400 bad_request as JSON naming the rule, journaled, the connection closed', async (_, hostLines, error) => {
    const raw = await rawExchange(t.listener.port, [request(hostLines)]);
    const { status, head, body: answer } = parseRaw(raw);
    expect(status).toBe(400);
    expect(head.toLowerCase()).toContain('connection: close');
    expect(answer).toEqual({ error, code: 'bad_request' });
    expect((await journalRecords(t.dir)).map((r) => [r.method, r.url, r.status, r.code])).toEqual([['POST', '/webhooks', 400, 'bad_request']]);
  });

  it('none, then bytes that are not HTTP: one 400 for the missing Host, journaled once; the bytes after it, which the closing answer never reads, get no record', async () => {
    const raw = await rawExchange(t.listener.port, ['POST /webhooks HTTP/1.1\r\nContent-Length: 0\r\n\r\nnot http\r\n\r\n']);
    expect(raw.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 400']);
    expect((await journalRecords(t.dir)).map((r) => [r.method, r.url, r.status, r.reason])).toEqual([
      ['POST', '/webhooks', 400, 'An HTTP/1.1 request must have a Host header (RFC 9112 3.2).'],
    ]);
  });

  it('an HTTP/1.0 request needs none', async () => {
    const head = `POST /webhooks HTTP/1.0\r\nAuthorization: ${headers.authorization}\r\nContent-Length: ${body.length}\r\n\r\n`;
    const raw = await rawExchange(t.listener.port, [Buffer.concat([Buffer.from(head), body])]);
    expect(parseRaw(raw)).toMatchObject({ status: 200, body: { received: true } });
  });
});

describe('a refusal given before the body has arrived', () => {
  it.each([
    ['POST', '/elsewhere', 404],
    ['GET', '/webhooks', 405],
  ])('%s %s with a body that never comes → one %i with Connection: close, journaled once; no second 408 later', async (method, path, status) => {
    await t.close();
    t = await startTestListener({ requestTimeoutMs: 300 });
    const raw = await rawExchange(t.listener.port, [rawRequest(path, { 'Content-Length': '100000' }, '0123456789', method)]);
    expect(raw.match(/HTTP\/1\.1 \d{3}/g)).toEqual([`HTTP/1.1 ${status}`]);
    expect(parseRaw(raw).head.toLowerCase()).toContain('connection: close');
    expect((await journalRecords(t.dir)).map((r) => [r.method, r.url, r.status])).toEqual([[method, path, status]]);
  });
});

describe('a request refused before its body is read, whose body then breaks the HTTP framing', () => {
  it.each([
    ['/elsewhere', 404, { Host: 'x' }],
    ['/webhooks', 400, {}],
  ])('%s → one answer (%i) and one journal record, not a second 400 for the broken chunk', async (path, status, host) => {
    const head = [`POST ${path} HTTP/1.1`, ...Object.entries(host).map(([k, v]) => `${k}: ${v}`), 'Transfer-Encoding: chunked'];
    const raw = await rawExchange(t.listener.port, [`${head.join('\r\n')}\r\n\r\nzz\r\n`]);
    expect(raw.match(/HTTP\/1\.1 \d{3}/g)).toEqual([`HTTP/1.1 ${status}`]);
    expect((await journalRecords(t.dir)).map((r) => [r.url, r.status])).toEqual([[path, status]]);
  });
});

describe('many headers', () => {
  it('2,100 small headers (under the 16 KiB limit) with the signature last: every one is read and recorded, none dropped', async () => {
    const { body, headers } = signed(userCreate(10));
    // `h0: ` ... `h1mb: `: about 14 KiB in all, so Node's header size limit is not what stops them.
    const many = Object.fromEntries(Array.from({ length: 2100 }, (_, i) => [`h${i.toString(36)}`, '']));
    const raw = await rawExchange(t.listener.port, [
      rawRequest('/webhooks', { Connection: 'close', 'Content-Length': String(body.length), ...many, ...headers }, body),
    ]);
    expect(parseRaw(raw)).toMatchObject({ status: 200, body: { received: true } });
    const [record] = await journalRecords(t.dir);
    expect(record?.headers).toHaveLength(1 + 2 + 2100 + Object.keys(headers).length);
  });
});

describe('the signature header sent twice', () => {
  const { body, headers } = signed(userCreate(11));
  const twice = (first: string, second: string) =>
    Buffer.concat([
      Buffer.from(
        `POST /webhooks HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: ${body.length}\r\nAuthorization: ${first}\r\nAuthorization: ${second}\r\n\r\n`,
      ),
      body,
    ]);

  it('the valid one second → 401 for the first (Node keeps only the first Authorization); the record says there were two, and keeps both', async () => {
    const raw = await rawExchange(t.listener.port, [twice('HMACSHA256 AAAA', headers.authorization ?? '')]);
    expect(parseRaw(raw)).toMatchObject({
      status: 401,
      body: { error: 'The signature is not the 44-character base64 of a 32-byte HMAC-SHA256.', code: 'malformed_signature' },
    });
    const [record] = await journalRecords(t.dir);
    expect(record?.reason).toBe(
      'The signature is not the 44-character base64 of a 32-byte HMAC-SHA256. The request has 2 authorization header lines; a signature is sent in one.',
    );
    expect(((record?.headers ?? []) as [string, string][]).filter(([name]) => name === 'Authorization')).toHaveLength(2);
  });

  it('the valid one first → 200, as Node reads the first', async () => {
    const raw = await rawExchange(t.listener.port, [twice(headers.authorization ?? '', 'HMACSHA256 AAAA')]);
    expect(parseRaw(raw)).toMatchObject({ status: 200, body: { received: true } });
  });
});

describe('CONNECT', () => {
  it('is answered 404 not_found as JSON and journaled, not dropped without a word', async () => {
    const raw = await rawExchange(t.listener.port, ['CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n']);
    const { status, head, body } = parseRaw(raw);
    expect(status, raw).toBe(404);
    expect(head.toLowerCase()).toContain('connection: close');
    expect(body).toEqual({ error: 'Nothing here: webhooks are received at POST /webhooks.', code: 'not_found' });
    expect((await journalRecords(t.dir)).map((r) => [r.method, r.url, r.status, r.code])).toEqual([['CONNECT', '127.0.0.1:22', 404, 'not_found']]);
  });
});

describe('bytes after a request that closes the connection', () => {
  it('are not read as a request: the request is answered, and journaled once, with no phantom 400 that was never sent', async () => {
    const { body, headers } = signed(userCreate(7));
    const closing = rawRequest('/webhooks', { ...headers, Connection: 'close', 'Content-Length': String(body.length) }, body);
    const raw = await rawExchange(t.listener.port, [Buffer.concat([closing, Buffer.from('GET /after HTTP/1.1\r\nHost: x\r\n\r\n')])]);
    expect(parseRaw(raw)).toMatchObject({ status: 200, body: { received: true } });
    expect(raw.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect((await journalRecords(t.dir)).map((r) => [r.method, r.url, r.status])).toEqual([['POST', '/webhooks', 200]]);
  });

  it('an HTTP/1.0 request with a body and no Content-Length → 411 length_required (not a 401 over an empty body); its body is not taken for a second request', async () => {
    const { body, headers } = signed(userCreate(8));
    const head = `POST /webhooks HTTP/1.0\r\nHost: x\r\nAuthorization: ${headers.authorization}\r\n\r\n`;
    const raw = await rawExchange(t.listener.port, [Buffer.concat([Buffer.from(head), body])], { endInput: true });
    // HTTP/1.0 requires a Content-Length with a body (RFC 1945 7.2.2): Node reads none, and drops what follows the headers.
    expect(raw.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 411']);
    const { head: answerHead, body: answer } = parseRaw(raw);
    expect(answerHead.toLowerCase()).toContain('connection: close');
    expect(answer).toEqual({ error: 'An HTTP/1.0 request must announce its body with a Content-Length header.', code: 'length_required' });
    expect((await journalRecords(t.dir)).map((r) => [r.method, r.url, r.status, r.verdict, r.code, r.bodyBytes])).toEqual([
      ['POST', '/webhooks', 411, 'rejected', 'length_required', 0],
    ]);
  });

  it('the same with Connection: keep-alive: one 411, journaled once, the body bytes not answered as a request', async () => {
    const { body, headers } = signed(userCreate(8));
    const head = `POST /webhooks HTTP/1.0\r\nConnection: keep-alive\r\nAuthorization: ${headers.authorization}\r\n\r\n`;
    const raw = await rawExchange(t.listener.port, [Buffer.concat([Buffer.from(head), body])]);
    expect(raw.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 411']);
    expect((await journalRecords(t.dir)).map((r) => [r.status, r.code])).toEqual([[411, 'length_required']]);
  });

  it.each([
    ['no Host header (400)', 'POST /webhooks HTTP/1.1\r\nContent-Length: 0\r\n\r\n', 400],
    ['HTTP/1.0 with no Content-Length (411)', 'POST /webhooks HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', 411],
    ['an Expect the listener does not meet (417)', 'POST /webhooks HTTP/1.1\r\nHost: x\r\nExpect: nothing\r\nContent-Length: 0\r\n\r\n', 417],
  ])(
    'a signed delivery pipelined after a request refused with Connection: close, %s, is not recorded as acknowledged: only the refusal is sent and journaled',
    async (_, first, status) => {
      const { body, headers } = signed(userCreate(13));
      const second = rawRequest('/webhooks', { ...headers, 'Content-Length': String(body.length) }, body);
      const raw = await rawExchange(t.listener.port, [Buffer.concat([Buffer.from(first), second])]);
      expect(raw.match(/HTTP\/1\.1 \d{3}/g)).toEqual([`HTTP/1.1 ${status}`]);
      expect((await journalRecords(t.dir)).map((r) => r.status)).toEqual([status]);
    },
  );

  it('an HTTP/1.0 request with a Content-Length is read and verified as usual', async () => {
    const { body, headers } = signed(userCreate(8));
    const head = `POST /webhooks HTTP/1.0\r\nAuthorization: ${headers.authorization}\r\nContent-Length: ${body.length}\r\n\r\n`;
    const raw = await rawExchange(t.listener.port, [Buffer.concat([Buffer.from(head), body])]);
    expect(parseRaw(raw)).toMatchObject({ status: 200, body: { received: true } });
  });
});

describe('Expect: 100-continue', () => {
  it('a body announced over the limit is refused with 413 before the client sends it: no 100 Continue, the connection closed', async () => {
    const { headers } = signed(userCreate(1));
    // Headers only: the client waits for the 100 before sending its 8,000 bytes.
    const raw = await rawExchange(t.listener.port, [rawRequest('/webhooks', { ...headers, Expect: '100-continue', 'Content-Length': '8000' })]);
    expect(raw.startsWith('HTTP/1.1 413 '), raw).toBe(true);
    const { head, body } = parseRaw(raw);
    expect(head.toLowerCase()).toContain('connection: close');
    expect(body).toEqual({ error: 'The body is 8000 bytes; the limit is 4096 (LISTEN_BODY_LIMIT).', code: 'body_too_large' });
    expect((await journalRecords(t.dir)).map((r) => [r.status, r.code, r.bodyBytes])).toEqual([[413, 'body_too_large', 8000]]);
  });

  it('no Authorization header → the same 401 missing_signature as after reading, before the body is sent: no 100 Continue, the connection closed', async () => {
    const raw = await rawExchange(t.listener.port, [
      rawRequest('/webhooks', { Expect: '100-continue', 'Content-Type': 'application/json', 'Content-Length': '120' }),
    ]);
    expect(raw.startsWith('HTTP/1.1 401 '), raw).toBe(true);
    const { head, body } = parseRaw(raw);
    expect(head.toLowerCase()).toContain('connection: close');
    expect(body).toEqual({ error: 'No Authorization header: this request was not signed.', code: 'missing_signature' });
    expect((await journalRecords(t.dir)).map((r) => [r.status, r.verdict, r.code, r.bodyBytes])).toEqual([[401, 'invalid', 'missing_signature', 120]]);
  });

  it('no signature header and an unusable Standard Webhooks secret → the same 401 malformed_secret as after reading, no 100 Continue', async () => {
    await t.close();
    t = await startTestListener({ scheme: standardWebhooks, secrets: () => ['not-a-whsec-secret'] });
    const headers = { 'Content-Type': 'application/json', 'Content-Length': '2', Connection: 'close' };
    const read = parseRaw(await rawExchange(t.listener.port, [rawRequest('/webhooks', headers, '{}')]));
    const raw = await rawExchange(t.listener.port, [rawRequest('/webhooks', { ...headers, Expect: '100-continue' })]);
    expect(raw.startsWith('HTTP/1.1 401 '), raw).toBe(true);
    const unread = parseRaw(raw);
    expect(unread.body).toEqual({ error: 'The listener cannot verify signatures yet.', code: 'malformed_secret' });
    expect(unread.body).toEqual(read.body);
    const reason = 'Secret #1 is not a "whsec_<base64>" secret, which Standard Webhooks requires.';
    expect((await journalRecords(t.dir)).map((r) => [r.status, r.code, r.reason])).toEqual([
      [401, 'malformed_secret', reason],
      [401, 'malformed_secret', reason],
    ]);
  });

  it('no signature header and secrets that cannot be loaded → the same 500 secret_unavailable as after reading, no 100 Continue', async () => {
    await t.close();
    t = await startTestListener({
      secrets: () => {
        throw new Error('state file unreadable');
      },
    });
    const raw = await rawExchange(t.listener.port, [rawRequest('/webhooks', { Expect: '100-continue', 'Content-Length': '2' })]);
    expect(raw.startsWith('HTTP/1.1 500 '), raw).toBe(true);
    expect(parseRaw(raw).body).toEqual({ error: 'The listener could not load its webhook secret.', code: 'secret_unavailable' });
  });

  it('an Authorization header that will not verify still gets its 100 Continue: only the body can tell', async () => {
    const raw = await rawExchange(t.listener.port, [
      rawRequest('/webhooks', { Expect: '100-continue', Authorization: 'Bearer x', Connection: 'close', 'Content-Length': '2' }),
      '{}',
    ]);
    expect(raw.startsWith('HTTP/1.1 100 Continue\r\n\r\n'), raw).toBe(true);
    expect(parseRaw(raw.slice('HTTP/1.1 100 Continue\r\n\r\n'.length))).toMatchObject({ status: 401, body: { code: 'wrong_scheme' } });
  });

  it('a refusal that needs no body (404, 405) is answered without inviting the body', async () => {
    const raw = await rawExchange(t.listener.port, [rawRequest('/elsewhere', { Expect: '100-continue', 'Content-Length': '100' })]);
    expect(raw.startsWith('HTTP/1.1 404 '), raw).toBe(true);
    expect((await journalRecords(t.dir)).map((r) => [r.url, r.status])).toEqual([['/elsewhere', 404]]);
  });

  it('a body within the limit is invited with 100 Continue, then verified and stored', async () => {
    const { body, headers } = signed(userCreate(2));
    const raw = await rawExchange(t.listener.port, [
      rawRequest('/webhooks/', { ...headers, Expect: '100-continue', Connection: 'close', 'Content-Length': String(body.length) }),
      body,
    ]);
    expect(raw.startsWith('HTTP/1.1 100 Continue\r\n\r\n'), raw).toBe(true);
    expect(parseRaw(raw.slice('HTTP/1.1 100 Continue\r\n\r\n'.length))).toMatchObject({ status: 200, body: { received: true } });
  });
});

describe('Content-Encoding', () => {
  const plain = Buffer.from(JSON.stringify(userCreate(3)));
  const compressed = gzipSync(plain);

  it('a verified gzip body → 415 saying the encoding is not taken, with Accept-Encoding: identity; its exact bytes are kept', async () => {
    const headers = bracken.sign({ body: compressed, secret: SECRET });
    const raw = await rawExchange(t.listener.port, [
      rawRequest('/webhooks', { ...headers, 'Content-Encoding': 'GZip', Connection: 'close', 'Content-Length': String(compressed.length) }, compressed),
    ]);
    const { status, head, body } = parseRaw(raw);
    expect(status).toBe(415);
    expect(head.toLowerCase()).toContain('accept-encoding: identity');
    expect(body).toEqual({
      error: 'The Content-Encoding is "GZip": webhook deliveries are uncompressed JSON, signed as sent.',
      code: 'unsupported_media_type',
    });
    const [record] = await journalRecords(t.dir);
    expect(record).toMatchObject({ status: 415, verdict: 'valid', code: 'unsupported_media_type', bodyBytes: compressed.length });
  });

  it('a body labelled gzip that is not compressed is refused too, not stored as a delivery', async () => {
    const { body, headers } = signed(plain);
    const raw = await rawExchange(t.listener.port, [
      rawRequest('/webhooks', { ...headers, 'Content-Encoding': 'gzip', Connection: 'close', 'Content-Length': String(body.length) }, body),
    ]);
    expect(parseRaw(raw)).toMatchObject({ status: 415, body: { code: 'unsupported_media_type' } });
  });

  it('identity is no encoding: accepted', async () => {
    const { body, headers } = signed(plain);
    const raw = await rawExchange(t.listener.port, [
      rawRequest('/webhooks', { ...headers, 'Content-Encoding': 'identity', Connection: 'close', 'Content-Length': String(body.length) }, body),
    ]);
    expect(parseRaw(raw)).toMatchObject({ status: 200, body: { received: true } });
  });

  it('signed before compressing → 401 signature_mismatch, and the record says the signature covers the compressed bytes', async () => {
    const { headers } = signed(plain);
    const raw = await rawExchange(t.listener.port, [
      rawRequest('/webhooks', { ...headers, 'Content-Encoding': 'gzip', Connection: 'close', 'Content-Length': String(compressed.length) }, compressed),
    ]);
    expect(parseRaw(raw)).toMatchObject({ status: 401, body: { code: 'signature_mismatch' } });
    const [record] = await journalRecords(t.dir);
    expect(record?.reason).toContain('The body came with Content-Encoding: gzip; the signature is checked over the bytes as received, still compressed.');
  });
});

describe('a charset other than UTF-8', () => {
  const send = (body: Buffer, charset: string) =>
    rawExchange(t.listener.port, [
      rawRequest(
        '/webhooks',
        {
          ...bracken.sign({ body, secret: SECRET }),
          'Content-Type': `application/json; charset=${charset}`,
          Connection: 'close',
          'Content-Length': String(body.length),
        },
        body,
      ),
    ]);

  it('a Latin-1 body labelled so → 400 invalid_json naming the label: JSON is UTF-8 whatever it says', async () => {
    const raw = await send(Buffer.from('{"eventname":"User_Create","username":"Ren\u00e9e"}', 'latin1'), '"ISO-8859-1"');
    expect(parseRaw(raw)).toEqual({
      status: 400,
      head: expect.any(String),
      body: {
        error:
          'The body is not valid UTF-8 JSON. (it is not valid UTF-8; the Content-Type says charset=ISO-8859-1, but JSON is always sent as UTF-8 (RFC 8259 8.1))',
        code: 'invalid_json',
      },
    });
  });

  it('an ASCII body labelled Latin-1 is JSON all the same: accepted (RFC 8259 defines no charset parameter)', async () => {
    const raw = await send(Buffer.from(JSON.stringify(userCreate(12))), 'iso-8859-1');
    expect(parseRaw(raw)).toMatchObject({ status: 200, body: { received: true } });
  });
});

describe('requests Node refuses to parse are journaled as the request they were', () => {
  it('a bad request pipelined after a good one in the same packet is recorded with its own method and path', async () => {
    const { body, headers } = signed(userCreate(4));
    const good = rawRequest('/webhooks', { ...headers, 'Content-Length': String(body.length) }, body);
    const bad = 'PUT /other HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0001b\r\nContent-Length: 2\r\n\r\n{}';
    const raw = await rawExchange(t.listener.port, [Buffer.concat([good, Buffer.from(bad, 'latin1')])]);
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*HTTP\/1\.1 400 Bad Request\r\n/);
    const records = await journalRecords(t.dir);
    expect(records.map((r) => [r.method, r.url, r.status]).sort()).toEqual([
      ['POST', '/webhooks', 200],
      ['PUT', '/other', 400],
    ]);
  });

  it.each(['post', 'Post'])('a method in the wrong case (%s /webhooks) → 400 bad_request, recorded with the method as sent and the path', async (method) => {
    const raw = await rawExchange(t.listener.port, [`${method} /webhooks HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}`]);
    expect(parseRaw(raw)).toMatchObject({ status: 400, body: { code: 'bad_request' } });
    expect((await journalRecords(t.dir)).map((r) => [r.method, r.url, r.code])).toEqual([[method, '/webhooks', 'bad_request']]);
    expect(t.logs.at(-1)).toContain(` ${method} /webhooks 400 rejected bad_request `);
  });

  it('a request line ending in a bare LF → 400 bad_request, recorded with its method and path', async () => {
    const raw = await rawExchange(t.listener.port, ['POST /webhooks HTTP/1.1\nHost: x\nContent-Length: 2\n\n{}']);
    expect(parseRaw(raw)).toMatchObject({ status: 400, body: { code: 'bad_request' } });
    expect((await journalRecords(t.dir)).map((r) => [r.method, r.url, r.code])).toEqual([['POST', '/webhooks', 'bad_request']]);
  });

  it('a 16 KiB URL → 431 headers_too_large, recorded with its method and the start of its URL', async () => {
    const target = `/webhooks?${'a'.repeat(16 * 1024)}`;
    const raw = await rawExchange(t.listener.port, [rawRequest(target, { 'Content-Length': '2' }, '{}')]);
    expect(parseRaw(raw)).toMatchObject({ status: 431, body: { code: 'headers_too_large' } });
    const [record] = await journalRecords(t.dir);
    expect(record).toMatchObject({ method: 'POST', status: 431 });
    expect(record?.url).toBe(`${target.slice(0, 2048)}…`);
  });
});

describe('the webhook path is matched exactly, as a sender would be told it', () => {
  it.each(['/Webhooks', '/WEBHOOKS', '/%77ebhooks', '//webhooks', '/webhooks;x'])('POST %s → 404 not_found, journaled', async (path) => {
    const { body, headers } = signed(userCreate(5));
    const raw = await rawExchange(t.listener.port, [rawRequest(path, { ...headers, Connection: 'close', 'Content-Length': String(body.length) }, body)]);
    expect(parseRaw(raw)).toMatchObject({ status: 404, body: { code: 'not_found' } });
    expect((await journalRecords(t.dir)).map((r) => [r.url, r.status, r.verdict])).toEqual([[path, 404, 'rejected']]);
  });
});

describe('a fragment in the request target (not valid HTTP: RFC 9112 3.2)', () => {
  it.each(['/webhooks#x', '/webhooks?a=1#x', '/webhooks#', '/elsewhere#x'])(
    'POST %s → 400 bad_request naming the rule, journaled, the connection closed',
    async (path) => {
      const { body, headers } = signed(userCreate(5));
      const raw = await rawExchange(t.listener.port, [rawRequest(path, { ...headers, 'Content-Length': String(body.length) }, body)]);
      const { status, head, body: answer } = parseRaw(raw);
      expect(status).toBe(400);
      expect(head.toLowerCase()).toContain('connection: close');
      expect(answer).toEqual({ error: 'A request target cannot hold a fragment (a "#" and what follows it): RFC 9112 3.2.', code: 'bad_request' });
      expect((await journalRecords(t.dir)).map((r) => [r.url, r.status, r.code])).toEqual([[path, 400, 'bad_request']]);
    },
  );
});

describe('Transfer-Encoding', () => {
  const { body, headers } = signed(userCreate(6));
  const chunked = `${body.length.toString(16)}\r\n${body.toString('latin1')}\r\n0\r\n\r\n`;

  it('a coding other than chunked (gzip, chunked) → 501 not_implemented, the body not read, the connection closed', async () => {
    const raw = await rawExchange(t.listener.port, [rawRequest('/webhooks', { ...headers, 'Transfer-Encoding': 'gzip, chunked' }, chunked)]);
    const { status, head, body: answer } = parseRaw(raw);
    expect(status).toBe(501);
    expect(head.toLowerCase()).toContain('connection: close');
    expect(answer).toEqual({
      error: 'The Transfer-Encoding is "gzip, chunked": the listener takes chunked only, and decodes no other coding.',
      code: 'not_implemented',
    });
    expect((await journalRecords(t.dir)).map((r) => [r.status, r.verdict, r.code, r.bodyBytes])).toEqual([[501, 'rejected', 'not_implemented', 0]]);
  });

  it.each(['xchunked', 'gzip', 'chunked, gzip'])('%s, whose framing Node cannot read → one 400 bad_request, journaled once', async (value) => {
    const raw = await rawExchange(t.listener.port, [rawRequest('/webhooks', { ...headers, 'Transfer-Encoding': value }, chunked)]);
    expect(parseRaw(raw)).toMatchObject({ status: 400, body: { code: 'bad_request' } });
    expect((await journalRecords(t.dir)).map((r) => [r.status, r.code])).toEqual([[400, 'bad_request']]);
  });

  it('chunked alone, with a chunk extension and a trailer, is read as usual', async () => {
    const withExtras = `${body.length.toString(16)};name=value\r\n${body.toString('latin1')}\r\n0\r\nX-Trailer: 1\r\n\r\n`;
    const raw = await rawExchange(t.listener.port, [rawRequest('/webhooks', { ...headers, 'Transfer-Encoding': 'chunked', Connection: 'close' }, withExtras)]);
    expect(parseRaw(raw)).toMatchObject({ status: 200, body: { received: true } });
    expect((await journalRecords(t.dir)).map((r) => [r.status, r.bodyBytes])).toEqual([[200, body.length]]);
  });
});

describe('slow and idle clients', () => {
  it('a connection that never sends a byte (a browser preconnect, a port scan) is closed at the timeout, with no journal record', async () => {
    await t.close();
    t = await startTestListener({ requestTimeoutMs: 300 });
    expect(await rawExchange(t.listener.port, [])).toBe('');
    expect(await journalRecords(t.dir)).toEqual([]);
    expect(t.logs).toEqual([]);
  });

  it('headers trickled past the timeout → 408 request_timeout, journaled once', async () => {
    await t.close();
    t = await startTestListener({ requestTimeoutMs: 300 });
    const raw = await rawExchange(t.listener.port, ['POST /webhooks HTTP/1.1\r\nHost: x\r\n', 'X-Slow: 1\r\n']);
    expect(parseRaw(raw)).toMatchObject({ status: 408, body: { code: 'request_timeout' } });
    expect((await journalRecords(t.dir)).map((r) => [r.status, r.code])).toEqual([[408, 'request_timeout']]);
  });
});
