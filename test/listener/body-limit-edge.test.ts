/**
 * LISTEN_BODY_LIMIT is the largest body taken, not the first refused: a body of exactly the limit
 * is accepted, whether it is sent at once or announced with Expect: 100-continue.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { journalRecords, parseRaw, rawExchange, send, signed, startTestListener, userCreate, type TestListener } from '../helpers/listener.ts';

const LIMIT = 4096;
let t: TestListener;

beforeEach(async () => {
  t = await startTestListener({ handler: () => {}, bodyLimitBytes: LIMIT });
});
afterEach(async () => {
  await t.close();
});

/** A signed User_Create whose JSON body is exactly `bytes` long. */
function signedOfLength(n: number, bytes: number): { body: Buffer; headers: Record<string, string> } {
  const bare = JSON.stringify({ ...userCreate(n), pad: '' });
  const payload = { ...userCreate(n), pad: 'x'.repeat(bytes - Buffer.byteLength(bare)) };
  const result = signed(payload);
  expect(result.body.length).toBe(bytes);
  return result;
}

describe('a body of exactly LISTEN_BODY_LIMIT bytes', () => {
  it('is accepted when sent at once; one byte more is 413', async () => {
    const atLimit = signedOfLength(1, LIMIT);
    expect((await send(t.listener.url, atLimit)).status).toBe(200);
    const over = signedOfLength(2, LIMIT + 1);
    expect((await send(t.listener.url, over)).status).toBe(413);
  });

  it('announced with Expect: 100-continue, is invited with 100 Continue and stored', async () => {
    const { body, headers } = signedOfLength(3, LIMIT);
    const head = ['POST /webhooks HTTP/1.1', 'Host: 127.0.0.1', 'Expect: 100-continue', 'Connection: close', `Content-Length: ${LIMIT}`];
    for (const [name, value] of Object.entries(headers)) head.push(`${name}: ${value}`);
    const raw = await rawExchange(t.listener.port, [`${head.join('\r\n')}\r\n\r\n`, body]);
    expect(raw.startsWith('HTTP/1.1 100 Continue\r\n\r\n'), raw).toBe(true);
    expect(parseRaw(raw.slice('HTTP/1.1 100 Continue\r\n\r\n'.length))).toMatchObject({ status: 200, body: { received: true } });
    expect((await journalRecords(t.dir)).map((r) => [r.status, r.bodyBytes])).toEqual([[200, LIMIT]]);
  });
});
