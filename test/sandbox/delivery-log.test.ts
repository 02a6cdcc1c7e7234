/**
 * The sender's delivery log (issue 12): with the tutorial's own receiver as the user's app, every
 * attempt is kept with the receiver's answer; Resend and Cancel; the retry policy's end
 * (SANDBOX_RETRY_MAX_AGE, on an injected clock); a deactivated or re-pointed subscription cancelling
 * its pending deliveries; and the log's guards.
 */
import { createServer, get, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { DeliveryView } from '../../scripts/sandbox/delivery-view.ts';
import { freePort as closedPort } from '../../scripts/walkthrough/free-port.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { startTutorialReceiver } from '../helpers/tutorial-receiver.ts';
import { until } from '../helpers/until.ts';
import { accessToken, call, createUser, sandboxWithPending, startReceiver, subscribe, testSandbox } from './helpers.ts';
import type { RunningSandbox } from '../../scripts/sandbox/index.ts';

const SECRET = 'tutorial-receiver-secret-0123456789';
const DAY = 24 * 3600 * 1000;

async function deliveries(sandbox: RunningSandbox): Promise<DeliveryView[]> {
  const answer = await call(sandbox, 'GET', '/sandbox/deliveries');
  expect(answer.status).toBe(200);
  return answer.json as DeliveryView[];
}

/** POST a resend or cancel as the page does (the action header, no Origin from another site). */
async function act(sandbox: RunningSandbox, id: string, action: 'resend' | 'cancel', headers: Record<string, string> = { 'x-workbench-sandbox': action }) {
  const response = await fetch(`${sandbox.url}/sandbox/deliveries/${id}/${action}`, { method: 'POST', headers });
  return { status: response.status, headers: response.headers, json: (await response.json()) as Record<string, unknown> };
}

/** A sandbox whose deliveries go to `target`, one user created; resolves with the delivery's id. */
async function oneDelivery(sandbox: RunningSandbox, target: string, secret = SECRET): Promise<{ id: string; token: string }> {
  const token = await accessToken(sandbox);
  await subscribe(sandbox, token, target, secret);
  await createUser(sandbox, token, 'Log-User');
  const id = sandbox.deliveries()[0]?.id ?? '';
  return { id, token };
}

describe('the delivery log with the tutorial receiver as the user app', () => {
  it('keeps each attempt: the request with the signature shortened, the receiver status, headers, body and latency', async () => {
    const receiver = await startTutorialReceiver({ secret: SECRET });
    const sandbox = await testSandbox();
    const { id } = await oneDelivery(sandbox, receiver.url);
    await sandbox.whenIdle(10_000);

    const stored = sandbox.deliveries()[0];
    const [view] = await deliveries(sandbox);
    expect(view).toMatchObject({ id, status: 'delivered', attempts: 1, lastStatus: 200, lastError: null, inFlight: false, target: receiver.url });
    expect(view?.authorization).toBe(`${stored?.authorization.slice(0, 15)}…(55 chars)`);
    expect(view?.request).toEqual({
      method: 'POST',
      url: receiver.url,
      headers: [
        ['content-type', 'application/json'],
        ['authorization', view?.authorization],
        ['user-agent', 'bracken-webhook-workbench-sandbox'],
        ['content-length', String(Buffer.byteLength(stored?.body ?? ''))],
      ],
      body: stored?.body,
    });
    const [attempt] = view?.attemptLog ?? [];
    expect(attempt).toMatchObject({
      number: 1,
      trigger: 'schedule',
      target: receiver.url,
      error: null,
      response: { status: 200, body: 'OK the signatures match', bodyTruncated: false },
    });
    expect(attempt?.response?.headers).toEqual(
      expect.arrayContaining([
        ['x-powered-by', 'Express'],
        ['content-type', 'text/html; charset=utf-8'],
        ['content-length', '23'],
      ]),
    );
    expect(attempt?.latencyMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(attempt?.at ?? '')).toBeGreaterThanOrEqual(Date.parse(view?.createdAt ?? ''));
    // The full signature never leaves the sandbox.
    expect(JSON.stringify(await deliveries(sandbox))).not.toContain(stored?.authorization.slice(11) ?? 'missing');
    expect((await call(sandbox, 'GET', `/sandbox/deliveries/${id}`)).json).toEqual(view);
  });

  it("keeps a refusal's status and body: 403 from a receiver with another secret, 500 from the receiver as printed (no express.json())", async () => {
    const wrongSecret = await startTutorialReceiver({ secret: 'not-the-subscribed-secret-0123' });
    const asPrinted = await startTutorialReceiver({ secret: SECRET, asPrinted: true });
    const sandbox = await testSandbox({ retryScheduleMs: [60_000] });
    const token = await accessToken(sandbox);
    await subscribe(sandbox, token, wrongSecret.url, SECRET, { event: 'user_create' });
    await subscribe(sandbox, token, asPrinted.url, SECRET, { event: 'user_delete' });
    const userkey = await createUser(sandbox, token, 'Short-Lived');
    expect((await call(sandbox, 'DELETE', `/api/user/delete/domain/15435/user/${userkey}`, { token })).status).toBe(200);
    await until(() => sandbox.deliveries().length === 2 && sandbox.deliveries().every((d) => d.attempts === 1), 10_000);

    const [toBroken, toWrong] = await deliveries(sandbox);
    expect(toWrong?.attemptLog[0]?.response).toMatchObject({ status: 403, body: 'Do not trust, not from a Bracken webhook' });
    expect(toWrong).toMatchObject({ status: 'pending', lastStatus: 403, lastError: 'HTTP 403' });
    // req.body is undefined without a JSON parser, so JSON.stringify(req.body) is too, and createHmac().update() throws.
    expect(toBroken?.attemptLog[0]?.response?.status).toBe(500);
    expect(toBroken?.attemptLog[0]?.response?.body).toContain('ERR_INVALID_ARG_TYPE');
  });

  it('keeps the first 4 KiB of a long answer and says it was cut', async () => {
    const server = createServer((_req, res) => res.writeHead(503, { 'content-type': 'text/plain' }).end(`${'é'.repeat(3000)}tail`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise((resolve) => server.close(resolve)));
    const sandbox = await testSandbox({ retryScheduleMs: [60_000] });
    await oneDelivery(sandbox, `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`);
    await until(() => sandbox.deliveries()[0]?.attempts === 1, 10_000);
    const response = (await deliveries(sandbox))[0]?.attemptLog[0]?.response;
    expect(response?.bodyTruncated).toBe(true);
    expect(response?.body).toBe('é'.repeat(2048));
  });

  // A pending delivery keeps its last 10 attempts; with each answer's 4 KiB kept, 10,000 of them
  // made a store of 480 MB, rewritten after every batch of attempts.
  it('keeps 4 KiB of the newest answer and 256 bytes of each earlier one, saying each was cut', async () => {
    const server = createServer((_req, res) => res.writeHead(503, { 'content-type': 'text/plain' }).end(`${'é'.repeat(3000)}tail`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise((resolve) => server.close(resolve)));
    const sandbox = await testSandbox({ retryScheduleMs: [50] });
    const { id } = await oneDelivery(sandbox, `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`);
    await until(() => (sandbox.deliveries()[0]?.attempts ?? 0) >= 3, 10_000);
    expect((await act(sandbox, id, 'cancel')).status).toBe(200);
    await sandbox.whenIdle(10_000);

    const log = (await deliveries(sandbox))[0]?.attemptLog ?? [];
    const newest = log.at(-1);
    expect(newest?.response).toMatchObject({ status: 503, body: 'é'.repeat(2048), bodyTruncated: true });
    const earlier = log.slice(0, -1);
    expect(earlier.length).toBeGreaterThanOrEqual(2);
    for (const attempt of earlier) expect(attempt.response).toMatchObject({ status: 503, body: 'é'.repeat(128), bodyTruncated: true });
    expect(earlier[0]?.response?.headers).toContainEqual(['content-type', 'text/plain']);
  });

  // 10,000 pending deliveries made a list of 25 MB built in one go; the page and the deliveries
  // command ask for the newest few, and the total says how many there are.
  it('lists only the newest N with ?limit=N, says the total in X-Total-Count, and refuses a limit that is not a whole number', async () => {
    const { sandbox } = await sandboxWithPending(['First-User', 'Second-User', 'Third-User']);
    const newestFirst = sandbox
      .deliveries()
      .map((d) => d.id)
      .reverse();

    const limited = await fetch(`${sandbox.url}/sandbox/deliveries?limit=2`);
    expect(limited.status).toBe(200);
    expect(limited.headers.get('x-total-count')).toBe('3');
    expect(((await limited.json()) as DeliveryView[]).map((d) => d.id)).toEqual(newestFirst.slice(0, 2));
    const all = await fetch(`${sandbox.url}/sandbox/deliveries`);
    expect(all.headers.get('x-total-count')).toBe('3');
    expect(((await all.json()) as DeliveryView[]).map((d) => d.id)).toEqual(newestFirst);

    for (const bad of ['0', 'abc', '1.5', '-1', '']) {
      const refused = await fetch(`${sandbox.url}/sandbox/deliveries?limit=${bad}`);
      expect([refused.status, await refused.json()]).toEqual([
        400,
        { error: `limit=${JSON.stringify(bad)} is not a number of deliveries (a whole number, 1 or more).`, code: 'bad_limit' },
      ]);
    }
  });

  it('streams each change live on /sandbox/events: the delivery queued, on its way, then answered', async () => {
    const receiver = await startTutorialReceiver({ secret: SECRET });
    const sandbox = await testSandbox();
    const response = await new Promise<IncomingMessage>((resolve) => get(`${sandbox.url}/sandbox/events`, resolve));
    onCleanup(() => response.destroy());
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    let text = '';
    response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    await oneDelivery(sandbox, receiver.url);
    await until(() => text.includes('"status":"delivered"'), 10_000);
    const events = text
      .split('\n\n')
      .filter((block) => block.startsWith('event: delivery\n'))
      .map((block) => JSON.parse(block.slice('event: delivery\ndata: '.length)) as DeliveryView);
    expect(events.map((d) => [d.status, d.inFlight, d.attempts])).toEqual([
      ['pending', false, 0],
      ['pending', true, 0],
      ['delivered', false, 1],
    ]);
    expect(text).toContain('event: subscriptions\ndata: [{"domainkey":15435,"eventname":"User_Create"');
    expect(text).toContain('event: users\ndata: [{"userkey":1001,"username":"Log-User"');
  });
});

describe('Resend and Cancel', () => {
  it('Resend makes a new attempt of the same bytes and signature, recorded as a resend, and answers with the delivery', async () => {
    const receiver = await startReceiver();
    const sandbox = await testSandbox();
    const { id } = await oneDelivery(sandbox, receiver.url);
    await sandbox.whenIdle(10_000);

    const resent = await act(sandbox, id, 'resend');
    expect(resent.status).toBe(200);
    expect(resent.json).toMatchObject({ id, status: 'delivered', attempts: 2, inFlight: false });
    expect((resent.json.attemptLog as DeliveryView['attemptLog']).map((a) => [a.number, a.trigger, a.response?.status])).toEqual([
      [1, 'schedule', 200],
      [2, 'resend', 200],
    ]);
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[1]?.body.equals(receiver.requests[0]?.body ?? Buffer.alloc(0))).toBe(true);
    expect(receiver.requests[1]?.headers.authorization).toBe(receiver.requests[0]?.headers.authorization);
  });

  it('Cancel stops a pending delivery for good; a resend of it that gets a 2xx makes it delivered', async () => {
    const port = await closedPort();
    const sandbox = await testSandbox({ retryScheduleMs: [100] });
    const { id } = await oneDelivery(sandbox, `http://127.0.0.1:${port}/webhooks`);
    await until(() => (sandbox.deliveries()[0]?.attempts ?? 0) >= 2, 10_000);

    const cancelled = await act(sandbox, id, 'cancel');
    expect(cancelled.status).toBe(200);
    expect(cancelled.json).toMatchObject({ id, status: 'cancelled', reason: 'cancelled by hand', nextAttemptAt: null });
    const attempts = sandbox.deliveries()[0]?.attempts;
    await sandbox.whenIdle(1_000); // nothing pending any more
    await new Promise((resolve) => setTimeout(resolve, 400)); // four retry periods
    expect(sandbox.deliveries()[0]).toMatchObject({ status: 'cancelled', attempts });

    expect(await act(sandbox, id, 'cancel')).toMatchObject({
      status: 409,
      json: { code: 'not_pending', error: `Delivery ${id} is cancelled: only a pending delivery can be cancelled.` },
    });
    expect(await act(sandbox, 'no-such-id', 'resend')).toMatchObject({ status: 404, json: { code: 'unknown_delivery' } });

    const receiver = await startTutorialReceiver({ secret: SECRET, port });
    const resent = await act(sandbox, id, 'resend');
    expect(resent.json).toMatchObject({ status: 'delivered', reason: null, attempts: (attempts ?? 0) + 1 });
    expect((resent.json.attemptLog as DeliveryView['attemptLog']).at(-1)?.response?.body).toBe('OK the signatures match');
    await receiver.stop();
  });
});

describe('the retry policy has an end (SANDBOX_RETRY_MAX_AGE)', () => {
  it('fails a delivery for good once its next attempt would be later than the max age, and sends no more', async () => {
    const receiver = await startTutorialReceiver({ secret: 'not-the-subscribed-secret-0123' });
    let clock = Date.parse('2026-01-05T09:00:00.000Z');
    const sandbox = await testSandbox({ retryScheduleMs: [50], retryMaxAgeMs: 3 * DAY, now: () => clock });
    const { id } = await oneDelivery(sandbox, receiver.url);
    await until(() => (sandbox.deliveries()[0]?.attempts ?? 0) >= 2, 10_000);
    expect(sandbox.deliveries()[0]?.status).toBe('pending');

    clock += 3 * DAY; // the next failure would retry 50 ms after the end
    await sandbox.whenIdle(10_000);
    const [view] = await deliveries(sandbox);
    const attempts = view?.attempts ?? 0;
    expect(view).toMatchObject({
      id,
      status: 'failed',
      reason: `not delivered within 3d (SANDBOX_RETRY_MAX_AGE) after ${attempts} attempts`,
      endedAt: '2026-01-08T09:00:00.000Z',
      nextAttemptAt: null,
      lastStatus: 403,
    });
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(sandbox.deliveries()[0]?.attempts).toBe(attempts);
  });

  it('fails, without another attempt, a pending delivery that is already too old when the sandbox starts again', async () => {
    const stateDir = await tempDir('sandbox');
    const port = await closedPort();
    let clock = Date.parse('2026-01-05T09:00:00.000Z');
    const first = await testSandbox({ stateDir, retryScheduleMs: [60_000], now: () => clock });
    await oneDelivery(first, `http://127.0.0.1:${port}/webhooks`);
    await until(() => first.deliveries()[0]?.attempts === 1, 10_000);
    await first.close();

    clock += 4 * DAY;
    const receiver = await startReceiver({ port });
    const second = await testSandbox({ stateDir, port: first.port, retryScheduleMs: [60_000], now: () => clock });
    await second.whenIdle(5_000);
    expect(second.deliveries()[0]).toMatchObject({
      status: 'failed',
      attempts: 1,
      reason: 'not delivered within 3d (SANDBOX_RETRY_MAX_AGE) after 1 attempt',
    });
    expect(receiver.requests).toEqual([]);
  });
});

describe('a subscription that changes cancels its pending deliveries', () => {
  it('deactivated: pending deliveries are cancelled with that reason, and none reaches the receiver when it comes back', async () => {
    const port = await closedPort();
    const sandbox = await testSandbox({ retryScheduleMs: [100] });
    const { token } = await oneDelivery(sandbox, `http://127.0.0.1:${port}/webhooks`);
    await until(() => (sandbox.deliveries()[0]?.attempts ?? 0) >= 1, 10_000);

    await subscribe(sandbox, token, `http://127.0.0.1:${port}/webhooks`, SECRET, { active: false });
    const attempts = sandbox.deliveries()[0]?.attempts;
    expect((await deliveries(sandbox))[0]).toMatchObject({ status: 'cancelled', reason: 'the subscription was deactivated', nextAttemptAt: null });
    const receiver = await startReceiver({ port });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(receiver.requests).toEqual([]);
    expect(sandbox.deliveries()[0]?.attempts).toBe(attempts);
  });

  it('re-pointed: pending deliveries to the old target are cancelled, new ones go to the new target', async () => {
    const oldPort = await closedPort();
    const receiver = await startTutorialReceiver({ secret: SECRET });
    const sandbox = await testSandbox({ retryScheduleMs: [100] });
    const { token } = await oneDelivery(sandbox, `http://127.0.0.1:${oldPort}/webhooks`);
    await until(() => (sandbox.deliveries()[0]?.attempts ?? 0) >= 1, 10_000);

    await subscribe(sandbox, token, receiver.url, SECRET);
    await createUser(sandbox, token, 'After-Move');
    await sandbox.whenIdle(10_000);
    const [moved, old] = await deliveries(sandbox);
    expect(old).toMatchObject({
      status: 'cancelled',
      reason: `the subscription was re-pointed to ${receiver.url}`,
      target: `http://127.0.0.1:${oldPort}/webhooks`,
    });
    expect(moved).toMatchObject({ status: 'delivered', target: receiver.url, attempts: 1 });
    expect(moved?.attemptLog[0]?.response?.body).toBe('OK the signatures match');
  });

  it('a merge that changes only the secret keeps the pending deliveries (signed with the secret of their moment)', async () => {
    const port = await closedPort();
    const sandbox = await testSandbox({ retryScheduleMs: [100] });
    const { token } = await oneDelivery(sandbox, `http://127.0.0.1:${port}/webhooks`);
    await subscribe(sandbox, token, `http://127.0.0.1:${port}/webhooks`, 'a-rotated-secret-0123456789');
    expect(sandbox.deliveries()[0]?.status).toBe('pending');
  });
});

describe("the delivery log's guards", () => {
  it('answers with the security headers, and refuses a foreign Host (DNS rebinding), a cross-site POST and a POST without the header', async () => {
    const receiver = await startReceiver();
    const sandbox = await testSandbox();
    const { id } = await oneDelivery(sandbox, receiver.url);
    await sandbox.whenIdle(10_000);

    const page = await fetch(`${sandbox.url}/sandbox/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(await page.text()).toContain('<script src="/sandbox/page.js" defer></script>');

    const port = new URL(sandbox.url).port;
    expect((await call(sandbox, 'GET', '/sandbox/deliveries')).status).toBe(200);
    const foreign = await new Promise<IncomingMessage>((resolve) =>
      get(`${sandbox.url}/sandbox/deliveries`, { headers: { host: `rebind.example:${port}` } }, resolve),
    );
    foreign.resume();
    expect(foreign.statusCode).toBe(403);

    expect(await act(sandbox, id, 'resend', { 'x-workbench-sandbox': 'resend', origin: 'http://evil.example' })).toMatchObject({
      status: 403,
      json: { code: 'cross_site', error: 'Resend refused: requests from http://evil.example are not allowed.' },
    });
    expect(await act(sandbox, id, 'cancel', { 'x-workbench-sandbox': 'cancel', 'sec-fetch-site': 'cross-site' })).toMatchObject({
      status: 403,
      json: { code: 'cross_site', error: 'Cancel refused: the request came from a cross-site page.' },
    });
    expect(await act(sandbox, id, 'resend', {})).toMatchObject({
      status: 403,
      json: { code: 'missing_sandbox_header', error: 'Resend refused: send the x-workbench-sandbox: resend header (the delivery log page does).' },
    });
    expect(await act(sandbox, id, 'resend', { 'x-workbench-sandbox': 'cancel' })).toMatchObject({ status: 403, json: { code: 'missing_sandbox_header' } });
    expect(receiver.requests).toHaveLength(1); // nothing refused was sent
    // The Bracken API itself is not behind the log's guards: its callers are programs, with a token.
    expect((await call(sandbox, 'GET', '/')).status).toBe(200);
  });
});
