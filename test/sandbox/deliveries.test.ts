/**
 * Webhook deliveries as a receiver sees them on the wire: method, headers, exact bytes, a
 * signature that verifies over those bytes, retries with identical bytes, and delivery once a
 * receiver that was down comes up.
 */
import { describe, expect, it } from 'vitest';
import { bracken } from '../../steps/lib/signature/bracken.ts';
import { sign } from '../../steps/lib/signature/primitives.ts';
import { freePort as closedPort } from '../../scripts/walkthrough/free-port.ts';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { ATTEMPTS_AT_ONCE, createDeliveryEngine } from '../../scripts/sandbox/deliveries.ts';
import type { Store } from '../../scripts/sandbox/store.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { until } from '../helpers/until.ts';
import { accessToken, call, createUser, startReceiver, subscribe, testSandbox } from './helpers.ts';

const SECRET = 'whsec-test-0123456789abcdef';

describe('a User_Create delivery', () => {
  it('is a POST of compact ASCII JSON, signed HMACSHA256 over the exact bytes sent', async () => {
    const sandbox = await testSandbox();
    const receiver = await startReceiver();
    const token = await accessToken(sandbox);
    await subscribe(sandbox, token, receiver.url, SECRET);
    const userkey = await createUser(sandbox, token, 'Test-User-ab12');
    await sandbox.whenIdle(10_000);

    expect(receiver.requests).toHaveLength(1);
    const [received] = receiver.requests;
    if (received === undefined) throw new Error('no delivery');
    expect(received.method).toBe('POST');
    expect(received.url).toBe('/webhooks');
    expect(received.headers['content-type']).toBe('application/json');
    expect(received.headers['content-length']).toBe(String(received.body.length));
    expect(received.headers.authorization).toBe(`HMACSHA256 ${sign(SECRET, received.body)}`);
    expect(bracken.verify({ body: received.body, headers: received.headers, secrets: [SECRET] })).toEqual({ ok: true, secretIndex: 0 });
    expect(bracken.verify({ body: received.body, headers: received.headers, secrets: ['another-secret'] })).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });

    const text = received.body.toString('utf8');
    const payload = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(payload)).toEqual(['eventname', 'domainkey', 'userkey', 'username', 'timestamp']);
    expect(payload).toMatchObject({ eventname: 'User_Create', domainkey: 15435, userkey, username: 'Test-User-ab12' });
    expect(new Date(String(payload.timestamp)).toISOString()).toBe(payload.timestamp);
    // The tutorial's receiver re-serializes req.body: for an ASCII username that gives the same bytes.
    expect(JSON.stringify(JSON.parse(text))).toBe(text);

    expect(sandbox.deliveries()).toMatchObject([
      { eventname: 'User_Create', status: 'delivered', attempts: 1, lastStatus: 200, lastError: null, target: receiver.url },
    ]);
  });

  it('escapes a non-ASCII username as \\uXXXX: raw-byte verification passes, the tutorial re-serialization does not', async () => {
    const sandbox = await testSandbox();
    const receiver = await startReceiver();
    const token = await accessToken(sandbox);
    await subscribe(sandbox, token, receiver.url, SECRET);
    await createUser(sandbox, token, 'Zoë-Ünal');
    const [received] = await receiver.waitFor(1);
    if (received === undefined) throw new Error('no delivery');

    expect([...received.body].every((byte) => byte < 0x80)).toBe(true);
    const text = received.body.toString('utf8');
    expect(text).toContain('"username":"Zo\\u00eb-\\u00dcnal"');
    expect((JSON.parse(text) as { username: string }).username).toBe('Zoë-Ünal');
    expect(bracken.verify({ body: received.body, headers: received.headers, secrets: [SECRET] }).ok).toBe(true);
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(text)), 'utf8');
    expect(bracken.verify({ body: reserialized, headers: received.headers, secrets: [SECRET] }).ok).toBe(false);
  });
});

describe('retries', () => {
  it('retries after 500 and 503 with the same bytes and signature until a 2xx', async () => {
    const sandbox = await testSandbox({ retryScheduleMs: [50, 100] });
    const receiver = await startReceiver({ statuses: [500, 503, 204] });
    const token = await accessToken(sandbox);
    await subscribe(sandbox, token, receiver.url, SECRET);
    await createUser(sandbox, token, 'Retry-User');
    await sandbox.whenIdle(10_000);

    expect(receiver.requests).toHaveLength(3);
    const [first, ...rest] = receiver.requests;
    for (const again of rest) {
      expect(again.body.equals(first?.body ?? Buffer.alloc(0))).toBe(true);
      expect(again.headers.authorization).toBe(first?.headers.authorization);
    }
    expect(sandbox.deliveries()).toMatchObject([{ status: 'delivered', attempts: 3, lastStatus: 204, lastError: null }]);
    const listed = await call(sandbox, 'GET', '/sandbox/deliveries');
    expect(listed.json).toMatchObject([{ status: 'delivered', attempts: 3, authorization: expect.stringMatching(/^HMACSHA256 .{4}…\(55 chars\)$/) }]);
  });

  it('keeps retrying while the receiver is down and delivers once it comes up', async () => {
    const sandbox = await testSandbox({ retryScheduleMs: [20, 40] });
    const port = await closedPort();
    const token = await accessToken(sandbox);
    await subscribe(sandbox, token, `http://127.0.0.1:${port}/webhooks`, SECRET);
    await createUser(sandbox, token, 'Patient-User');

    await until(() => (sandbox.deliveries()[0]?.attempts ?? 0) >= 3);
    expect(sandbox.deliveries()[0]).toMatchObject({ status: 'pending', lastStatus: null, lastError: expect.stringContaining('ECONNREFUSED') });

    const receiver = await startReceiver({ port });
    await sandbox.whenIdle(10_000);
    expect(receiver.requests).toHaveLength(1);
    expect(JSON.parse(receiver.requests[0]?.body.toString('utf8') ?? '')).toMatchObject({ eventname: 'User_Create', username: 'Patient-User' });
    expect(sandbox.deliveries()[0]?.status).toBe('delivered');
  });

  it('counts a receiver slower than the timeout as a failed attempt', async () => {
    const sandbox = await testSandbox({ deliveryTimeoutMs: 100, retryScheduleMs: [10_000] });
    const { createServer } = await import('node:http');
    const silent = createServer(() => undefined); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    try {
      const token = await accessToken(sandbox);
      await subscribe(sandbox, token, `http://127.0.0.1:${(silent.address() as { port: number }).port}/webhooks`, SECRET);
      await createUser(sandbox, token, 'Slow-User');
      await until(() => (sandbox.deliveries()[0]?.attempts ?? 0) >= 1);
      expect(sandbox.deliveries()[0]).toMatchObject({ status: 'pending', lastError: 'timed out after 100 ms' });
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('many deliveries at once', () => {
  // Before, every due delivery went out at once: a restart with 10,000 pending opened some 800
  // connections to the receiver together, and most attempts timed out behind them although the
  // receiver answered each in 200 ms.
  it(`sends at most ${ATTEMPTS_AT_ONCE} attempts at a time, and delivers the rest as slots free up`, async () => {
    const sandbox = await testSandbox();
    let open = 0;
    let most = 0;
    const bodies: string[] = [];
    const slow = createServer((req, res) => {
      open += 1;
      most = Math.max(most, open);
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        bodies.push(Buffer.concat(chunks).toString('utf8'));
        setTimeout(() => {
          open -= 1;
          res.end('OK');
        }, 100);
      });
    });
    const token = await accessToken(sandbox);
    await subscribe(sandbox, token, await webhookUrl(slow), SECRET);
    const count = ATTEMPTS_AT_ONCE * 3;
    await Promise.all(Array.from({ length: count }, (_, i) => createUser(sandbox, token, `Burst-User-${i}`)));
    await sandbox.whenIdle(20_000);

    expect(most).toBe(ATTEMPTS_AT_ONCE);
    expect(bodies).toHaveLength(count);
    expect(sandbox.deliveries().map((d) => [d.status, d.attempts])).toEqual(Array.from({ length: count }, () => ['delivered', 1]));
  });

  // A slot is for sending, not for saving: with 10,000 pending deliveries the store is some 50 MB
  // and each write takes a second or more, and slots held until the write ended made a restart
  // crawl through them at about 5 attempts a second.
  it('frees an attempt slot once the answer is in, without waiting for the store write', async () => {
    const receiver = await startReceiver();
    const writes: (() => void)[] = [];
    let writing = true; // every store write hangs until the test lets them finish
    const store: Store = {
      file: 'in-memory',
      data: { version: 1, signingKey: 'k', nextUserkey: 1001, subscriptions: [], users: [], deliveries: [] },
      save: () => (writing ? new Promise<void>((resolve) => writes.push(resolve)) : Promise.resolve()),
      transact: () => Promise.reject(new Error('not used')),
    };
    store.data.subscriptions.push({
      domainkey: 15435,
      eventname: 'User_Create',
      target: receiver.url,
      secret: SECRET,
      active: true,
      created: '',
      modified: '',
    });
    const engine = createDeliveryEngine({ store, retryScheduleMs: [1000], retryMaxAgeMs: 60_000, timeoutMs: 5000, log: () => undefined });
    onCleanup(async () => {
      writing = false;
      for (const finish of writes) finish();
      await engine.close();
    });
    const count = ATTEMPTS_AT_ONCE * 2;
    for (let userkey = 1; userkey <= count; userkey += 1) {
      const [delivery] = engine.enqueue({
        eventname: 'User_Create',
        domainkey: 15435,
        userkey,
        username: `Slot-User-${userkey}`,
        timestamp: new Date().toISOString(),
      });
      if (delivery !== undefined) engine.schedule(delivery);
    }
    await until(() => receiver.requests.length === count, 10_000);
    // The last answers may still be on their way back to the sandbox when the receiver has the last request
    // (red once on CI's Node 24): every one is marked delivered, while every store write is still held.
    await until(() => store.data.deliveries.every((d) => d.status === 'delivered'), 10_000);
    expect(store.data.deliveries.map((d) => d.status)).toEqual(Array.from({ length: count }, () => 'delivered'));
    expect(writes.length).toBeGreaterThan(0); // the writes that would have said so are still waiting
  });

  it('never sends a delivery that was cancelled while it waited for a slot', async () => {
    // The receiver holds every answer until the test lets go, so the slots stay taken however slow
    // the machine is (a 300 ms attempt timeout, before, freed them while the test looked).
    const held: ServerResponse[] = [];
    const bodies: string[] = [];
    let answering = false;
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        bodies.push(body);
        if (answering) res.end('ok');
        else held.push(res);
      });
    });
    const sandbox = await testSandbox({ deliveryTimeoutMs: 60_000 });
    const token = await accessToken(sandbox);
    await subscribe(sandbox, token, await webhookUrl(receiver), SECRET);
    await Promise.all(Array.from({ length: ATTEMPTS_AT_ONCE + 1 }, (_, i) => createUser(sandbox, token, `Waiting-User-${i}`)));
    await until(() => held.length === ATTEMPTS_AT_ONCE);
    const list = (await call(sandbox, 'GET', '/sandbox/deliveries')).json as { id: string; inFlight: boolean; body: string }[];
    const [waiting, ...others] = list.filter((d) => !d.inFlight);
    expect(others).toEqual([]);
    if (waiting === undefined) throw new Error('no delivery waits');
    const cancelled = await fetch(`${sandbox.url}/sandbox/deliveries/${waiting.id}/cancel`, { method: 'POST', headers: { 'x-workbench-sandbox': 'cancel' } });
    expect(cancelled.status).toBe(200);

    answering = true;
    for (const res of held) res.end('ok'); // the slots free up: a cancelled delivery must not take one
    await sandbox.whenIdle(10_000);
    expect(sandbox.deliveries().find((d) => d.id === waiting.id)).toMatchObject({ status: 'cancelled', attempts: 0, attemptLog: [] });
    expect(bodies).toHaveLength(ATTEMPTS_AT_ONCE);
    expect(bodies).not.toContain(waiting.body);
  });
});

describe('which events are delivered', () => {
  it('sends nothing for an inactive subscription, and sends again once it is active', async () => {
    const sandbox = await testSandbox();
    const receiver = await startReceiver();
    const token = await accessToken(sandbox);
    await subscribe(sandbox, token, receiver.url, SECRET, { active: false });
    await createUser(sandbox, token, 'Unseen-User');
    await sandbox.whenIdle(10_000);
    expect(sandbox.deliveries()).toEqual([]);

    await subscribe(sandbox, token, receiver.url, SECRET, { active: true });
    await createUser(sandbox, token, 'Seen-User');
    await sandbox.whenIdle(10_000);
    expect(receiver.requests.map((r) => (JSON.parse(r.body.toString('utf8')) as { username: string }).username)).toEqual(['Seen-User']);
  });

  it('delivers User_Delete only to the User_Delete subscription', async () => {
    const sandbox = await testSandbox();
    const creates = await startReceiver();
    const deletes = await startReceiver();
    const token = await accessToken(sandbox);
    await subscribe(sandbox, token, creates.url, SECRET, { event: 'User_Create' });
    await subscribe(sandbox, token, deletes.url, 'delete-secret-123', { event: 'user_delete' });
    const userkey = await createUser(sandbox, token, 'Short-Lived');
    expect((await call(sandbox, 'DELETE', `/api/user/delete/domain/15435/user/${userkey}`, { token })).status).toBe(200);
    await sandbox.whenIdle(10_000);

    expect(creates.requests).toHaveLength(1);
    expect(deletes.requests).toHaveLength(1);
    const deleted = deletes.requests[0];
    expect(JSON.parse(deleted?.body.toString('utf8') ?? '')).toMatchObject({ eventname: 'User_Delete', userkey, username: 'Short-Lived' });
    expect(bracken.verify({ body: deleted?.body ?? Buffer.alloc(0), headers: deleted?.headers ?? {}, secrets: ['delete-secret-123'] }).ok).toBe(true);
  });
});

/** Listens `server` on a free loopback port, closed when the test ends; its /webhooks URL. */
async function webhookUrl(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  onCleanup(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/webhooks`;
}
