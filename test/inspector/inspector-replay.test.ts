import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startInspector, type Inspector } from '../../steps/lib/inspector/inspector.ts';
import { replayDelivery } from '../../steps/lib/inspector/replay.ts';
import { summarize } from '../../steps/lib/inspector/view.ts';
import { deliveryView, fakeFeed, type FakeFeed } from './fake-feed.ts';
import { sendJson } from './http.ts';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly rawHeaders: string[];
  readonly body: Buffer;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A stand-in listener: records what it gets, answers 200, and (like the real one) publishes a duplicate. */
async function receiver(feed: FakeFeed): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      received.push({ method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders, body });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('OK the signatures match');
      res.on('finish', () => feed.publish(deliveryView({ body, handler: 'duplicate' })));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`, received };
}

async function inspect(feed: FakeFeed, replayUrl: string): Promise<Inspector> {
  const inspector = await startInspector({ port: 0, feed, replayUrl });
  closers.push(() => inspector.close());
  return inspector;
}

const replayHeaders = (inspector: Inspector) => ({ 'x-workbench-inspector': 'replay', origin: inspector.url, 'sec-fetch-site': 'same-origin' });

describe('POST /api/deliveries/:id/replay', () => {
  it('resends the exact body bytes and headers, less hop-by-hop ones, and shows the answer and the new delivery', async () => {
    const body = Buffer.from('{ "eventname": "user_create", "name": "Ren\\u00e9e", "big": 12345678901234567890 }\n');
    const original = deliveryView({ body });
    const withExtra = { ...original, headers: [...original.headers, ['X-Trace', 'a'], ['x-trace', 'b']] as const };
    const feed = fakeFeed([withExtra]);
    const target = await receiver(feed);
    const inspector = await inspect(feed, target.url);

    const { status, body: result } = await sendJson(`${inspector.url}/api/deliveries/${original.id}/replay`, {
      method: 'POST',
      headers: replayHeaders(inspector),
    });

    expect(status).toBe(200);
    expect(target.received).toHaveLength(1);
    const got = target.received[0];
    expect(got?.method).toBe('POST');
    expect(got?.url).toBe('/webhooks');
    expect(got?.body.equals(body)).toBe(true);
    const pairs: string[][] = [];
    for (let i = 0; i < (got?.rawHeaders.length ?? 0); i += 2) pairs.push([got?.rawHeaders[i] ?? '', got?.rawHeaders[i + 1] ?? '']);
    const sentByClient = new Set(['host', 'content-length', 'connection']);
    expect(pairs.filter(([name]) => !sentByClient.has(name?.toLowerCase() ?? ''))).toEqual([
      ['Content-Type', 'application/json; charset=utf-8'],
      ['Authorization', original.headers[2]?.[1]],
      ['X-Trace', 'a'],
      ['x-trace', 'b'],
    ]);
    expect(pairs).toContainEqual(['content-length', String(body.length)]);
    const replayed = feed.list()[0];
    expect(result).toEqual({
      url: target.url,
      status: 200,
      contentType: 'text/plain',
      body: 'OK the signatures match',
      bodyTruncated: false,
      delivery: replayed === undefined ? 'missing' : JSON.parse(JSON.stringify(summarize(replayed))),
    });
    expect(replayed?.handler).toBe('duplicate');
  });

  it('refuses a cross-site replay (foreign Origin, cross-site fetch, no inspector header) and sends nothing', async () => {
    const view = deliveryView();
    const feed = fakeFeed([view]);
    const target = await receiver(feed);
    const inspector = await inspect(feed, target.url);
    const replay = (headers: Record<string, string>) => sendJson(`${inspector.url}/api/deliveries/${view.id}/replay`, { method: 'POST', headers });

    expect(await replay({ ...replayHeaders(inspector), origin: 'http://evil.example' })).toMatchObject({
      status: 403,
      body: { error: 'Replay refused: requests from http://evil.example are not allowed.', code: 'cross_site' },
    });
    expect(await replay({ ...replayHeaders(inspector), 'sec-fetch-site': 'cross-site' })).toMatchObject({
      status: 403,
      body: { error: 'Replay refused: the request came from a cross-site page.', code: 'cross_site' },
    });
    expect(await replay({ origin: inspector.url, 'content-type': 'text/plain' })).toMatchObject({
      status: 403,
      body: { code: 'missing_inspector_header' },
    });
    expect(await replay({ ...replayHeaders(inspector), host: `attacker.example:${new URL(inspector.url).port}` })).toMatchObject({
      status: 403,
      body: { code: 'bad_host' },
    });
    expect(target.received).toEqual([]);
  });

  // A 413 (or a 408) is recorded without its body: the listener refused it unread. Before, a
  // replay sent the recorded headers with an empty body and showed the answer to that as if it
  // were the request again.
  it('refuses to replay a delivery whose body was not kept (refused unread), and sends nothing', async () => {
    const view = deliveryView({ body: '', status: 413, verdict: 'rejected', code: 'body_too_large', handler: 'not-run' });
    const refused = { ...view, bodyBytes: 5_000_000 };
    const feed = fakeFeed([refused]);
    const target = await receiver(feed);
    const inspector = await inspect(feed, target.url);
    const { status, body } = await sendJson(`${inspector.url}/api/deliveries/${view.id}/replay`, { method: 'POST', headers: replayHeaders(inspector) });
    expect({ status, body }).toEqual({
      status: 409,
      body: {
        code: 'body_not_kept',
        error: `Delivery ${view.id} cannot be replayed: its body (5000000 bytes) was not kept, because the listener refused it unread (body_too_large).`,
      },
    });
    expect(target.received).toEqual([]);
  });

  it('answers 502 with what to check when the listener is not running', async () => {
    const view = deliveryView();
    const feed = fakeFeed([view]);
    const target = await receiver(feed);
    await closers.pop()?.(); // stop the receiver: its port now refuses connections
    const inspector = await inspect(feed, target.url);
    const { status, body } = await sendJson(`${inspector.url}/api/deliveries/${view.id}/replay`, {
      method: 'POST',
      headers: replayHeaders(inspector),
    });
    expect(status).toBe(502);
    expect(body).toMatchObject({ code: 'replay_failed' });
    expect((body as { error: string }).error).toMatch(/^The replay to http:\/\/127\.0\.0\.1:\d+\/webhooks failed: .+\. Is the listener still running\?$/);
  });

  // A listener that takes the request and never answers (stuck on its store, say). Before, the
  // reason was undici's "The operation was aborted due to timeout", which names nothing.
  it('says the listener did not answer in time when it takes the request and never answers', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer(() => {});
    silent.on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    closers.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const feed = fakeFeed();
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/webhooks`;
    await expect(
      replayDelivery({ record: deliveryView(), listenerUrl: url, source: { subscribe: feed.subscribe, get: async () => undefined }, timeoutMs: 200 }),
    ).rejects.toThrow(/^the listener did not answer within 0\.2 s$/);
  });
});
