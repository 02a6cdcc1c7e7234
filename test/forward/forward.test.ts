/**
 * LISTEN_FORWARD_TO (issue 12 item 3): each verified delivery goes on to the user's app with its
 * exact bytes and the sender's signature, after the listener has stored and acknowledged it. The
 * tutorial's own receiver (test/fixtures/tutorial-receiver.cjs, with express.json() added) is the
 * app: it verifies the forwarded delivery itself. An app that is down, then up, gets it once,
 * after retries; an app that answers non-2xx is retried until the delivery is dead; each try and
 * the app's answer are stored with the delivery and shown by the inspector; a replay is forwarded
 * again.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/walkthrough/free-port.ts';
import type { DeliveryView } from '../../steps/lib/delivery/index.ts';
import { loadConfig } from '../../steps/lib/core/config.ts';
import { configuredForwarding, forwardedHeaders } from '../../steps/lib/forward/index.ts';
import { openJournal } from '../../steps/lib/journal/journal.ts';
import { bracken, listenScheme } from '../../steps/lib/signature/index.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { SECRET, send, signed, userCreate } from '../helpers/listener.ts';
import { startTutorialReceiver } from '../helpers/tutorial-receiver.ts';
import { until } from '../helpers/until.ts';
import { startCapturingApp, startForwardingListener } from './helpers.ts';

const QUICK_RETRIES = { retryLimit: 6, retryDelayMs: 100, timeoutMs: 5000 };

/** The delivery's current view in the listener's feed. */
function viewOf(feed: { list(): readonly DeliveryView[] }, id: string): DeliveryView | undefined {
  return feed.list().find((view) => view.id === id);
}

describe('forwardedHeaders(received, scheme)', () => {
  it('keeps Content-Type, User-Agent and the scheme’s signature headers as received; drops hop-by-hop, Host, Content-Length and proxy headers', () => {
    const received: [string, string][] = [
      ['Host', 'abcd.ngrok.app'],
      ['User-Agent', 'bracken-webhook-workbench-sandbox'],
      ['Content-Length', '42'],
      ['Content-Type', 'application/json'],
      ['Authorization', 'HMACSHA256 abc='],
      ['Connection', 'keep-alive'],
      ['Keep-Alive', 'timeout=5'],
      ['Transfer-Encoding', 'chunked'],
      ['X-Forwarded-For', '203.0.113.9'],
      ['X-Forwarded-Proto', 'https'],
      ['Ngrok-Trace-Id', 'abc'],
    ];
    expect(forwardedHeaders(received, bracken)).toEqual([
      ['User-Agent', 'bracken-webhook-workbench-sandbox'],
      ['Content-Type', 'application/json'],
      ['Authorization', 'HMACSHA256 abc='],
    ]);
  });

  it('forwards the three Standard Webhooks headers, and no Authorization the scheme does not read', () => {
    const received: [string, string][] = [
      ['webhook-id', 'msg_1'],
      ['webhook-timestamp', '1700000000'],
      ['webhook-signature', 'v1,abc= v1,def='],
      ['authorization', 'Bearer not-for-the-app'],
      ['content-type', 'application/json'],
    ];
    expect(forwardedHeaders(received, listenScheme('standard-webhooks'))).toEqual([
      ['webhook-id', 'msg_1'],
      ['webhook-timestamp', '1700000000'],
      ['webhook-signature', 'v1,abc= v1,def='],
      ['content-type', 'application/json'],
    ]);
  });
  it('forwards GitHub’s X-GitHub-Event and X-GitHub-Delivery with its signature: an app (octokit’s middleware) refuses a delivery without them', () => {
    const received: [string, string][] = [
      ['Host', 'abcd.ngrok.app'],
      ['X-GitHub-Delivery', '72d3162e-cc78-11e3-81ab-4c9367dc0958'],
      ['X-GitHub-Event', 'push'],
      ['X-GitHub-Hook-ID', '292430182'],
      ['X-GitHub-Hook-Installation-Target-ID', '79929171'],
      ['X-GitHub-Hook-Installation-Target-Type', 'repository'],
      ['X-Hub-Signature', 'sha1=legacy'],
      ['X-Hub-Signature-256', 'sha256=abc'],
      ['Content-Type', 'application/json'],
      ['User-Agent', 'GitHub-Hookshot/044aadd'],
    ];
    expect(forwardedHeaders(received, listenScheme('github'))).toEqual(received.filter(([name]) => name !== 'Host' && name !== 'X-Hub-Signature'));
    // Only for the scheme that sends them.
    expect(forwardedHeaders(received, bracken)).toEqual([
      ['Content-Type', 'application/json'],
      ['User-Agent', 'GitHub-Hookshot/044aadd'],
    ]);
  });

  it('step 3 says which headers go to the app for LISTEN_SCHEME=github', () => {
    const forwarding = configuredForwarding(
      loadConfig({ env: { LISTEN_SCHEME: 'github', LISTEN_FORWARD_TO: 'http://127.0.0.1:8000/webhooks' } }),
      undefined,
      () => {},
    );
    expect(forwarding?.description).toContain(
      'with its exact bytes and the headers content-type, user-agent, x-hub-signature-256, x-github-event, x-github-delivery, x-github-hook-id, x-github-hook-installation-target-id, x-github-hook-installation-target-type;',
    );
  });
});

describe('forwarding to the user app (LISTEN_FORWARD_TO)', () => {
  it('forwards the exact bytes with the signature header after the 2xx, and nothing of the listener’s own connection', async () => {
    const app = await startCapturingApp();
    const { listener, logs } = await startForwardingListener(app.url, QUICK_RETRIES);
    // Not what JSON.stringify would write: spaces, an escape and a trailing newline must reach the app as sent.
    const delivery = signed('{ "eventname": "User_Create", "domainkey": 15435, "userkey": 7, "username": "Ren\\u00e9e" }\n');
    const answer = await send(listener.url, {
      body: delivery.body,
      headers: { ...delivery.headers, 'x-forwarded-for': '203.0.113.9', 'x-request-note': 'sender only', connection: 'keep-alive' },
    });
    expect(answer.status).toBe(200);
    await listener.idle();

    expect(app.requests).toHaveLength(1);
    const [got] = app.requests;
    expect(got?.body.equals(delivery.body)).toBe(true);
    const pairs = (got?.rawHeaders ?? []).flatMap((value, i, all) => (i % 2 === 0 ? [[value.toLowerCase(), all[i + 1]]] : []));
    // undici adds host, connection (one request, one connection) and the length; the rest is the sender's.
    expect(pairs).toEqual([
      ['host', new URL(app.url).host],
      ['connection', 'close'],
      ['content-type', 'application/json'],
      ['authorization', delivery.headers.authorization],
      ['content-length', String(delivery.body.length)],
    ]);
    const { id } = answer.json as { id: string };
    expect(logs).toContainEqual(expect.stringMatching(new RegExp(`^forwarded User_Create ${id} to ${app.url}: 200 in \\d+ ms "thanks"$`)));
  });

  it('LISTEN_FORWARD_TO with a trailing slash (Django’s /webhooks/) is the path the app gets, as written', async () => {
    const app = await startCapturingApp();
    const forwarding = configuredForwarding(loadConfig({ env: { LISTEN_FORWARD_TO: `${app.url}/` } }), undefined, () => {});
    const { listener, logs } = await startForwardingListener(forwarding?.url ?? '', QUICK_RETRIES);
    const delivery = signed(userCreate(6));
    expect((await send(listener.url, { body: delivery.body, headers: delivery.headers })).status).toBe(200);
    await listener.idle();

    expect(app.requests.map((request) => request.url)).toEqual(['/webhooks/']);
    expect(logs).toContainEqual(expect.stringContaining(` to ${app.url}/: 200 in `));
  });

  it('the tutorial receiver gets the delivery and verifies it itself ("OK the signatures match"); the try is stored with the delivery', async () => {
    const receiver = await startTutorialReceiver({ secret: SECRET });
    const { listener, logs, journalDir, store } = await startForwardingListener(receiver.url, QUICK_RETRIES);
    const delivery = signed(userCreate(1));
    const answer = await send(listener.url, { body: delivery.body, headers: delivery.headers });
    expect(answer.status).toBe(200);
    const { id } = answer.json as { id: string };
    await listener.idle();

    expect(await receiver.answered(1)).toEqual(['POST /webhooks 200']);
    const view = viewOf(listener.feed, id);
    expect(view?.handler).toBe('done');
    expect(view?.forward?.attempts).toBe(1);
    expect(view?.forward?.recent[0]).toMatchObject({
      url: receiver.url,
      response: { status: 200, body: 'OK the signatures match', bodyTruncated: false },
    });
    expect(view?.forward?.recent[0]?.response?.headers).toContainEqual(['x-powered-by', 'Express']);
    expect(logs).toContainEqual(expect.stringMatching(/^forwarded User_Create \S+ to \S+: 200 in \d+ ms "OK the signatures match"$/));

    // Stored with the delivery: the journal, opened again, has the same forward.
    await store.close();
    const reopened = await openJournal({ dir: journalDir, maxBytes: 1024 * 1024, keepFiles: 2 });
    onCleanup(() => reopened.close());
    expect(reopened.recovered.find((v) => v.id === id)?.forward).toEqual(view?.forward);
  });

  it('an app that is down, then up, gets the delivery once, after retries; each failed try is kept with its error', async () => {
    const port = await freePort();
    const appUrl = `http://127.0.0.1:${port}/webhooks`;
    const { listener, logs } = await startForwardingListener(appUrl, QUICK_RETRIES);
    const delivery = signed(userCreate(2));
    const answer = await send(listener.url, { body: delivery.body, headers: delivery.headers });
    // The sender's answer does not wait for the app: it is the listener's own.
    expect(answer.status).toBe(200);
    const { id } = answer.json as { id: string };
    await until(() => (viewOf(listener.feed, id)?.forward?.attempts ?? 0) >= 2, 10_000);
    expect(viewOf(listener.feed, id)?.handler).toBe('failed');

    const receiver = await startTutorialReceiver({ secret: SECRET, port });
    await until(() => viewOf(listener.feed, id)?.handler === 'done', 15_000);
    await listener.idle();

    const forward = viewOf(listener.feed, id)?.forward;
    const tries = forward?.recent ?? [];
    expect(forward?.attempts).toBe(tries.length);
    expect(tries.length).toBeGreaterThanOrEqual(3);
    for (const failed of tries.slice(0, -1)) expect(failed.error).toMatch(/ECONNREFUSED/);
    expect(tries.at(-1)?.response).toMatchObject({ status: 200, body: 'OK the signatures match' });
    // Once: the refused tries never reached the app, and nothing is sent after the 200.
    expect(await receiver.answered(1)).toEqual(['POST /webhooks 200']);
    expect(logs).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^handler failed for ${id} \\(User_Create\\): forward to ${appUrl}: no answer \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\) after \\d+ ms; try 2 of 7 in`,
        ),
      ),
    );
  });

  it('an app that answers non-2xx is retried with HANDLER_RETRY_LIMIT, then the delivery is dead with the app’s answer', async () => {
    const receiver = await startTutorialReceiver({ secret: 'not-the-subscribed-secret-0123' });
    const { listener } = await startForwardingListener(receiver.url, { retryLimit: 2, retryDelayMs: 50, timeoutMs: 5000 });
    const delivery = signed(userCreate(3));
    const { id } = (await send(listener.url, { body: delivery.body, headers: delivery.headers })).json as { id: string };
    await until(() => viewOf(listener.feed, id)?.handler === 'dead', 10_000);
    await listener.idle();

    const view = viewOf(listener.feed, id);
    expect(await receiver.answered(3)).toEqual(['POST /webhooks 403', 'POST /webhooks 403', 'POST /webhooks 403']);
    expect(view?.forward?.attempts).toBe(3);
    expect(view?.forward?.recent.map((attempt) => attempt.response?.status)).toEqual([403, 403, 403]);
    expect(view?.handlerError).toMatch(new RegExp(`^forward to ${receiver.url}: your app answered 403 in \\d+ ms "Do not trust, not from a Bracken webhook"$`));
  });
});

describe('what the user is told when the app does not take a delivery', () => {
  it('a redirect is not followed, and the log line and the stored error say where it pointed', async () => {
    // Django's login_required, or a route that moved: the app's 302 names the place, which is what to fix.
    const app = await startCapturingApp(302, { location: '/accounts/login/?next=/webhooks' });
    const { listener, logs } = await startForwardingListener(app.url, { retryLimit: 0, retryDelayMs: 50, timeoutMs: 5000 });
    const delivery = signed(userCreate(7));
    const { id } = (await send(listener.url, { body: delivery.body, headers: delivery.headers })).json as { id: string };
    await until(() => viewOf(listener.feed, id)?.handler === 'dead', 10_000);
    await listener.idle();

    expect(app.requests).toHaveLength(1);
    const error = `forward to ${app.url}: your app answered 302 in \\d+ ms "thanks", a redirect to "/accounts/login/\\?next=/webhooks" \\(not followed: deliveries go to LISTEN_FORWARD_TO only\\)`;
    expect(viewOf(listener.feed, id)?.handlerError).toMatch(new RegExp(`^${error}$`));
    expect(logs).toContainEqual(expect.stringMatching(new RegExp(`^handler failed for ${id} \\(User_Create\\): ${error}; that was its last try`)));
  });

  it('an app that never answers: the try times out, and the error names HANDLER_TIMEOUT_MS, the setting that gives the app its time', async () => {
    const server = createServer(() => {}); // takes the request, never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve()).closeAllConnections()));
    const appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
    const { listener } = await startForwardingListener(appUrl, { retryLimit: 0, retryDelayMs: 50, timeoutMs: 2000 });
    const delivery = signed(userCreate(8));
    const { id } = (await send(listener.url, { body: delivery.body, headers: delivery.headers })).json as { id: string };
    await until(() => viewOf(listener.feed, id)?.handler === 'dead', 10_000);
    await listener.idle();

    const error = 'timed out after 1800 ms (your app has 90% of HANDLER_TIMEOUT_MS=2000 to answer)';
    expect(viewOf(listener.feed, id)?.forward?.recent[0]?.error).toBe(error);
    expect(viewOf(listener.feed, id)?.handlerError).toMatch(
      new RegExp(`^forward to ${appUrl}: no answer \\(${error.replace(/[()]/g, '\\$&')}\\) after \\d+ ms$`),
    );
  });
});

describe('the inspector with forwarding: both answers, and replay forwards again', () => {
  it('shows the listener’s answer as sent and the app’s answer, in the list and the detail', async () => {
    const app = await startCapturingApp(202);
    const { listener, inspector } = await startForwardingListener(app.url, QUICK_RETRIES);
    const delivery = signed(userCreate(4));
    const answer = await send(listener.url, { body: delivery.body, headers: delivery.headers });
    const { id } = answer.json as { id: string };
    await listener.idle();

    const info = (await (await fetch(`${inspector.url}/api/info`)).json()) as { forwardTo: string };
    expect(info.forwardTo).toBe(app.url);
    const list = (await (await fetch(`${inspector.url}/api/deliveries`)).json()) as { deliveries: { id: string; forward: unknown }[] };
    expect(list.deliveries.find((d) => d.id === id)?.forward).toEqual({ attempts: 1, status: 202 });

    const detail = (await (await fetch(`${inspector.url}/api/deliveries/${id}`)).json()) as Record<string, unknown>;
    // The listener's answer as it went out: the same status, headers and bytes the sender got.
    expect(detail.response).toEqual({
      status: 200,
      headers: [
        ['content-type', 'application/json; charset=utf-8'],
        ['content-length', String(Buffer.byteLength(answer.text))],
      ],
      body: answer.text,
      bodyTruncated: false,
    });
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(detail.forwards).toEqual({
      attempts: 1,
      recent: [
        {
          number: 1,
          url: app.url,
          at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          latencyMs: expect.any(Number),
          response: {
            status: 202,
            // A credential-like header of the app's is shortened, as the sender's are.
            headers: expect.arrayContaining([
              ['content-type', 'text/plain'],
              ['set-cookie', 'sess…(44 chars)'],
            ]),
            body: 'thanks',
            bodyTruncated: false,
          },
        },
      ],
    });
  });

  it('a replay from the inspector is recorded as a duplicate and forwarded to the app again', async () => {
    const receiver = await startTutorialReceiver({ secret: SECRET });
    const { listener, inspector } = await startForwardingListener(receiver.url, QUICK_RETRIES);
    const delivery = signed(userCreate(5));
    const { id } = (await send(listener.url, { body: delivery.body, headers: delivery.headers })).json as { id: string };
    await listener.idle();

    const replay = await fetch(`${inspector.url}/api/deliveries/${id}/replay`, { method: 'POST', headers: { 'x-workbench-inspector': 'replay' } });
    expect(replay.status).toBe(200);
    const result = (await replay.json()) as { status: number; body: string; delivery: { id: string; handler: string }; forward: unknown };
    expect(result.status).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ received: true, duplicate: true });
    expect(result.forward).toEqual({ to: receiver.url, queued: true });
    expect(result.delivery.handler).toBe('pending');

    await until(() => viewOf(listener.feed, result.delivery.id)?.handler === 'done', 10_000);
    await listener.idle();
    expect(await receiver.answered(2)).toEqual(['POST /webhooks 200', 'POST /webhooks 200']);
    expect(viewOf(listener.feed, result.delivery.id)?.forward?.recent[0]?.response?.body).toBe('OK the signatures match');
    expect(viewOf(listener.feed, id)?.forward?.attempts).toBe(1);
  });
});
