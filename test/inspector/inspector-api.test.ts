import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { INSPECTOR_FAILED, InspectorError } from '../../steps/lib/core/errors.ts';
import { startInspector, type Inspector } from '../../steps/lib/inspector/inspector.ts';
import { INSPECTOR_CSP } from '../../steps/lib/inspector/assets/page.ts';
import { INSPECTOR_SCRIPT } from '../../steps/lib/inspector/assets/script.ts';
import { describe as detailOf, summarize } from '../../steps/lib/inspector/view.ts';
import { deliveryView, fakeFeed, type FakeFeed } from './fake-feed.ts';
import { send, sendJson } from './http.ts';
import { until } from '../helpers/until.ts';

const REPLAY_URL = 'http://127.0.0.1:9/webhooks'; // never contacted in this file
const opened: Inspector[] = [];
const sockets: Socket[] = [];

async function start(feed: FakeFeed): Promise<Inspector> {
  const inspector = await startInspector({ port: 0, feed, replayUrl: REPLAY_URL });
  opened.push(inspector);
  return inspector;
}

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(opened.splice(0).map((inspector) => inspector.close()));
});

describe('startInspector() JSON API', () => {
  it('GET /api/deliveries lists summaries newest first', async () => {
    const [a, b, c] = [deliveryView(), deliveryView({ verdict: 'invalid', status: 400 }), deliveryView()];
    if (!a || !b || !c) throw new Error('unreachable');
    const inspector = await start(fakeFeed([a, b, c]));
    const { status, body } = await sendJson(`${inspector.url}/api/deliveries`);
    expect(status).toBe(200);
    expect(body).toEqual({ verdict: 'all', total: 3, deliveries: JSON.parse(JSON.stringify([c, b, a].map(summarize))) });
  });

  // A body of up to 64 KiB is parsed for the row's key fields; 1000 rows of 21,000 `{}` each took
  // 3.5 s per list request (each page load, filter click and reconnect), in step 3's process,
  // which is the listener's. A delivery's body never changes: it is read for them once.
  it('GET /api/deliveries reads each body for its key fields once, not at every request', async () => {
    const view = deliveryView({ body: '{"eventname":"user_create","userkey":1001,"username":"x"}' });
    let reads = 0;
    const read = view.body.toString.bind(view.body);
    view.body.toString = ((...args: Parameters<Buffer['toString']>) => {
      reads += 1;
      return read(...args);
    }) as Buffer['toString'];
    const inspector = await start(fakeFeed([view]));
    for (const filter of ['all', 'valid', 'all']) {
      const { body } = await sendJson(`${inspector.url}/api/deliveries?verdict=${filter}`);
      expect((body as { deliveries: { eventFields: string }[] }).deliveries.map((d) => d.eventFields)).toEqual(['userkey 1001, username "x"']);
    }
    expect(reads).toBe(1);
  });

  it('GET /api/deliveries?verdict= keeps only that verdict, and refuses an unknown one', async () => {
    const valid = deliveryView();
    const invalid = deliveryView({ verdict: 'invalid', status: 400, code: 'signature_mismatch' });
    const rejected = deliveryView({ verdict: 'rejected', status: 404, code: 'not_found', url: '/nope' });
    const inspector = await start(fakeFeed([valid, invalid, rejected]));
    const ids = async (verdict: string) =>
      ((await sendJson(`${inspector.url}/api/deliveries?verdict=${verdict}`)).body as { deliveries: { id: string }[] }).deliveries.map((d) => d.id);
    expect(await ids('valid')).toEqual([valid.id]);
    expect(await ids('invalid')).toEqual([invalid.id]);
    expect(await ids('rejected')).toEqual([rejected.id]);
    expect(await sendJson(`${inspector.url}/api/deliveries?verdict=good`)).toMatchObject({
      status: 400,
      body: { error: 'verdict must be one of all, valid, invalid, rejected.', code: 'bad_verdict' },
    });
  });

  it('GET /api/deliveries/:id shows the signature shortened, never in full, and the body pretty-printed', async () => {
    const view = deliveryView({ body: '{"eventname":"user_create","user":{"userkey":42}}' });
    const inspector = await start(fakeFeed([view]));
    const response = await send(`${inspector.url}/api/deliveries/${view.id}`);
    const signature = view.headers.find(([name]) => name === 'Authorization')?.[1].split(' ')[1] ?? '';
    expect(response.status).toBe(200);
    expect(response.text).not.toContain(signature);
    expect(JSON.parse(response.text)).toEqual(JSON.parse(JSON.stringify(detailOf(view))));
    expect((JSON.parse(response.text) as { headers: unknown[] }).headers).toContainEqual(['Authorization', `HMACSHA256 ${signature.slice(0, 4)}…(44 chars)`]);
  });

  it('an unknown delivery id is 404 JSON, and an unknown path is 404 JSON', async () => {
    const inspector = await start(fakeFeed());
    expect(await sendJson(`${inspector.url}/api/deliveries/nope-123`)).toMatchObject({
      status: 404,
      body: { error: 'No delivery with id nope-123.', code: 'unknown_delivery' },
    });
    expect(await sendJson(`${inspector.url}/admin`)).toMatchObject({ status: 404, body: { error: 'No such page: /admin', code: 'not_found' } });
  });

  it('a request target that is not a URL is 400 JSON, not 500 "failed to answer"', async () => {
    const logs: string[] = [];
    const inspector = await startInspector({ port: 0, feed: fakeFeed(), replayUrl: REPLAY_URL, log: (line) => logs.push(line) });
    opened.push(inspector);
    const { host } = new URL(inspector.url);
    const socket = connect(Number(new URL(inspector.url).port), '127.0.0.1');
    sockets.push(socket);
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.write(`GET http://[bad/api/info HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    await closed;
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(answer).toContain('{"error":"The request target \\"http://[bad/api/info\\" is not a URL.","code":"bad_request"}');
    expect(logs).toEqual([]);
  });

  it('a wrong method is 405 with Allow', async () => {
    const view = deliveryView();
    const inspector = await start(fakeFeed([view]));
    const response = await sendJson(`${inspector.url}/api/deliveries/${view.id}/replay`);
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('POST');
    expect(response.body).toEqual({ error: `GET is not allowed on /api/deliveries/${view.id}/replay; use POST.`, code: 'method_not_allowed' });
    const head = await send(`${inspector.url}/api/events`, { method: 'HEAD' });
    expect([head.status, head.headers.allow]).toEqual([405, 'GET']);
  });
});

describe('startInspector() page and safety', () => {
  it('serves the page with a strict CSP, and the page carries no delivery data of its own', async () => {
    const hostile = deliveryView({ body: '<script>alert(1)</script>', headers: [['X-Note', '<img src=x onerror=alert(1)>']] });
    const inspector = await start(fakeFeed([hostile]));
    const page = await send(`${inspector.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(INSPECTOR_CSP);
    expect(INSPECTOR_CSP).toContain("script-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.text).not.toContain('alert(1)');
    expect(page.text).toContain('<script src="/inspector.js" defer></script>');
    // Delivery data reaches the page only through textContent; the browser test checks it renders as text.
    expect(INSPECTOR_SCRIPT).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    const script = await send(`${inspector.url}/inspector.js`);
    expect([script.status, script.headers['content-type'], script.text]).toEqual([200, 'text/javascript; charset=utf-8', INSPECTOR_SCRIPT]);
  });

  // Another site's page cannot read the answers (no CORS), but its blind GETs (an <img>, a no-cors
  // fetch in a loop) still made the inspector list 1000 deliveries or read a body, in the
  // listener's process. The browser says where a request comes from: only the page's own are read.
  it("answers the API only to the inspector's own page or a typed address, not to another site's requests; the page itself opens from a link", async () => {
    const view = deliveryView();
    const inspector = await start(fakeFeed([view]));
    for (const path of ['/api/deliveries', `/api/deliveries/${view.id}`, '/api/info', '/api/events']) {
      for (const site of ['cross-site', 'same-site']) {
        const answer = await sendJson(`${inspector.url}${path}`, { headers: { 'sec-fetch-site': site } });
        expect({ path, site, status: answer.status, body: answer.body }).toEqual({
          path,
          site,
          status: 403,
          body: { code: 'cross_site', error: `Refused: ${path} answers only the inspector's own page, not a request from a ${site} page.` },
        });
      }
    }
    expect((await sendJson(`${inspector.url}/api/deliveries`, { headers: { 'sec-fetch-site': 'same-origin' } })).status).toBe(200);
    expect((await sendJson(`${inspector.url}/api/info`, { headers: { 'sec-fetch-site': 'none' } })).status).toBe(200);
    expect((await send(`${inspector.url}/`, { headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(200);
  });

  it('refuses a request whose Host is not the inspector (DNS rebinding)', async () => {
    const inspector = await start(fakeFeed([deliveryView()]));
    const { status, body } = await sendJson(`${inspector.url}/api/deliveries`, { headers: { host: `rebind.example:${new URL(inspector.url).port}` } });
    expect(status).toBe(403);
    expect(body).toMatchObject({ code: 'bad_host' });
    const viaLocalhost = await sendJson(`${inspector.url}/api/deliveries`, { headers: { host: `localhost:${new URL(inspector.url).port}` } });
    expect(viaLocalhost.status).toBe(200);
  });

  it('binds 127.0.0.1 only: another loopback address on the same port is refused', async () => {
    const inspector = await start(fakeFeed());
    const url = new URL(inspector.url);
    expect(url.hostname).toBe('127.0.0.1');
    const error = await new Promise<NodeJS.ErrnoException>((resolve, reject) => {
      request({ host: '127.0.0.2', port: url.port, path: '/', agent: false }, () => reject(new Error('127.0.0.2 answered')))
        .on('error', resolve)
        .end();
    });
    expect(error.code).toBe('ECONNREFUSED');
  });

  it('refuses to bind a non-loopback host, and says which port is in use', async () => {
    await expect(startInspector({ host: '0.0.0.0', port: 0, feed: fakeFeed(), replayUrl: REPLAY_URL })).rejects.toMatchObject({
      code: INSPECTOR_FAILED,
      message: 'The inspector binds to loopback only, not "0.0.0.0".',
    });
    await expect(startInspector({ port: 0, feed: fakeFeed(), replayUrl: 'file:///etc/passwd' })).rejects.toMatchObject({
      code: INSPECTOR_FAILED,
      message: 'replayUrl "file:///etc/passwd" is not an http(s) URL.',
    });
    const first = await start(fakeFeed());
    const port = Number(new URL(first.url).port);
    const second = startInspector({ port, feed: fakeFeed(), replayUrl: REPLAY_URL });
    await expect(second).rejects.toBeInstanceOf(InspectorError);
    await expect(second).rejects.toMatchObject({
      code: INSPECTOR_FAILED,
      message: `The inspector cannot listen on 127.0.0.1:${port}: the port is in use.`,
      hint: 'Stop what uses the port, or set INSPECT_PORT to another port (0 picks a free one).',
    });
  });
});

describe('GET /api/events', () => {
  it('streams each new or updated delivery as an SSE event, and close() ends the stream', async () => {
    const feed = fakeFeed();
    const inspector = await start(feed);
    const received: string[] = [];
    const ended = new Promise<void>((resolve, reject) => {
      request(`${inspector.url}/api/events`, { agent: false }, (res) => {
        expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          received.push(chunk);
          if (chunk.startsWith(': connected')) feed.publish(view);
          else if (chunk.includes('"handler":"done"')) void inspector.close();
        });
        res.on('end', resolve);
      })
        .on('error', reject)
        .end();
    });
    const view = deliveryView({ handler: 'pending' });
    feed.subscribe((v) => {
      if (v.handler === 'pending') setImmediate(() => feed.publish({ ...v, handler: 'done' }));
    });
    await ended;
    expect(received.join('')).toBe(
      ': connected\n\n' +
        `event: delivery\ndata: ${JSON.stringify(summarize(view))}\n\n` +
        `event: delivery\ndata: ${JSON.stringify(summarize({ ...view, handler: 'done' }))}\n\n`,
    );
    expect(feed.subscribers).toBe(1); // only the test's own: the stream unsubscribed
  });

  it('drops each of 50 streams that never read once its unsent bytes pass the bound; a stream that reads keeps flowing (issue 14)', async () => {
    const feed = fakeFeed();
    const logs: string[] = [];
    const inspector = await startInspector({ port: 0, feed, replayUrl: REPLAY_URL, log: (line) => logs.push(line) });
    opened.push(inspector);
    const { port } = new URL(inspector.url);
    const streamRequest = `GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`;
    let lastId = '(not published yet)';
    const open = (read: boolean) => {
      const socket = connect(Number(port), '127.0.0.1');
      sockets.push(socket);
      // Only the stream's tail is kept: a dropped stream still holds a few MB in socket buffers.
      const client = { socket, tail: '', sawLast: false, closed: false };
      socket.on('data', (chunk: Buffer) => {
        client.tail = (client.tail + chunk.toString('latin1')).slice(-1024);
        if (client.tail.includes(lastId)) client.sawLast = true;
      });
      socket.on('close', () => (client.closed = true));
      socket.on('error', () => {});
      if (!read) socket.pause();
      socket.write(streamRequest);
      return client;
    };
    const stalled = Array.from({ length: 50 }, () => open(false));
    const reader = open(true);
    await until(() => reader.tail.includes(': connected'), 5_000);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the stalled ones, opened first, are open too

    // Each event summarizes to ~16 KiB. Without the bound, every stalled stream queues every event
    // for as long as it lasts (50 streams grew the listener by 52 MB in 12 s).
    const reason = 'x'.repeat(16 * 1024);
    let published = 0;
    const dropped = () => logs.filter((line) => line.includes('dropped an event stream that stopped reading')).length;
    while (dropped() < 50 && published < 1000) {
      feed.publish(deliveryView({ reason }));
      published += 1;
      if (published % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(dropped()).toBe(50);
    // Socket buffers take a few MB (about 300 events here) before a stream's own buffer grows past the bound (1 MiB).
    expect(published).toBeLessThan(1000);

    // The reader still gets what comes next; a dropped stream, reading again, gets the rest of its bytes, then the end.
    const last = deliveryView({ reason: 'after the drops' });
    lastId = last.id;
    feed.publish(last);
    await until(() => reader.sawLast, 10_000);
    const resumed = stalled.slice(0, 3); // reading all 50 would only repeat this, MBs at a time
    for (const client of resumed) client.socket.resume();
    await until(() => resumed.every((client) => client.closed), 20_000);
    expect(resumed.filter((client) => client.sawLast)).toHaveLength(0);
  }, 60_000);
});
