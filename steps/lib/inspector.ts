/**
 * The local inspector: ngrok's web inspector at 127.0.0.1:4040, given back. The @ngrok/ngrok SDK
 * has none (shared/stack.md §7), yet the tutorial checks its deliveries there. This is its own
 * server on loopback, never the listener's port, so the tunnel (which forwards only the listener
 * port) cannot reach it.
 *
 * Routes: `GET /` (the page), `GET /api/info`, `GET /api/deliveries?verdict=all|valid|invalid|rejected`,
 * `GET /api/deliveries/:id`, `POST /api/deliveries/:id/replay`, `GET /api/events` (Server-Sent Events).
 *
 * @example
 * const inspector = await startInspector({ port: config.inspect.port, feed: listener.feed, replayUrl: listener.url });
 * console.log(`Inspect deliveries at ${inspector.url}`);
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DeliveryFeed, Verdict } from './delivery.ts';
import { INSPECTOR_FAILED, InspectorError } from './errors.ts';
import { allowedHosts, checkHost, checkSameOrigin, isLoopbackHost, SECURITY_HEADERS, type Refusal } from './inspector-guard.ts';
import { INSPECTOR_CSS, INSPECTOR_HTML } from './inspector-page.ts';
import { replayDelivery } from './inspector-replay.ts';
import { INSPECTOR_SCRIPT } from './inspector-script.ts';
import { followFeed, type EventStreams } from './inspector-events.ts';
import { describe, summarize } from './inspector-view.ts';

export interface InspectorOptions {
  /** Loopback address to bind; default 127.0.0.1. Anything else is refused. */
  host?: string;
  /** `config.inspect.port` (INSPECT_PORT, default 4040); 0 picks a free port. */
  port: number;
  /** The running listener's deliveries. */
  feed: DeliveryFeed;
  /** The listener's local webhook URL: where replays go. */
  replayUrl: string;
  log?: (line: string) => void;
}

export interface Inspector {
  /** e.g. http://127.0.0.1:4040 */
  readonly url: string;
  /** Ends open event streams and stops the server. */
  close(): Promise<void>;
}

/** The `verdict` filter values the list accepts. */
export const VERDICT_FILTERS: readonly ('all' | Verdict)[] = ['all', 'valid', 'invalid', 'rejected'];
/** The list sends at most this many deliveries, newest first. */
export const LIST_LIMIT = 1000;

const STATIC: Readonly<Record<string, readonly [string, string]>> = {
  '/': ['text/html; charset=utf-8', INSPECTOR_HTML],
  '/inspector.js': ['text/javascript; charset=utf-8', INSPECTOR_SCRIPT],
  '/inspector.css': ['text/css; charset=utf-8', INSPECTOR_CSS],
};

/** Starts the inspector; rejects with InspectorError (INSPECTOR_FAILED) when it cannot listen. */
export async function startInspector(options: InspectorOptions): Promise<Inspector> {
  const host = options.host ?? '127.0.0.1';
  const { feed, replayUrl, log = () => {} } = options;
  if (!isLoopbackHost(host)) {
    throw new InspectorError(INSPECTOR_FAILED, `The inspector binds to loopback only, not ${JSON.stringify(host)}.`, {
      hint: 'Leave host at 127.0.0.1: the inspector shows signatures and can replay, so it must stay on this machine.',
    });
  }
  if (!/^https?:$/.test(safeProtocol(replayUrl))) {
    throw new InspectorError(INSPECTOR_FAILED, `replayUrl ${JSON.stringify(replayUrl)} is not an http(s) URL.`, {
      hint: "Pass the listener's local webhook URL, e.g. http://127.0.0.1:5000/webhooks.",
    });
  }

  let allowed: ReadonlySet<string> = new Set();
  let streams: EventStreams | undefined;
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`Inspector error on ${req.method} ${req.url}: ${(error as Error).message}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'The inspector failed to answer.', code: 'internal_error' });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refusal = checkHost(req, allowed);
    if (refusal !== undefined) return refuse(req, res, refusal);
    const { pathname, searchParams } = new URL(req.url ?? '/', 'http://inspector.invalid');
    const page = STATIC[pathname];
    const match = /^\/api\/deliveries\/([A-Za-z0-9_-]{1,128})(\/replay)?$/.exec(pathname);
    const isReplay = match?.[2] !== undefined;
    const expected = isReplay ? 'POST' : 'GET';
    if (pathname === '/favicon.ico') return void res.writeHead(204, SECURITY_HEADERS).end();
    const known = page !== undefined || match !== null || ['/api/info', '/api/deliveries', '/api/events'].includes(pathname);
    if (!known) return sendJson(res, 404, { error: `No such page: ${pathname}`, code: 'not_found' });
    // HEAD only for the static files: a HEAD on the event stream would hold a connection open for nothing.
    if (req.method !== expected && !(page !== undefined && req.method === 'HEAD')) {
      res.setHeader('allow', page !== undefined ? 'GET, HEAD' : expected);
      return sendJson(res, 405, { error: `${req.method} is not allowed on ${pathname}; use ${expected}.`, code: 'method_not_allowed' });
    }

    if (page !== undefined) return void res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': page[0] }).end(page[1]);
    if (pathname === '/api/info') return sendJson(res, 200, { listenerUrl: replayUrl });
    if (pathname === '/api/events') return streams?.open(req, res);
    if (pathname === '/api/deliveries') {
      const verdict = searchParams.get('verdict') ?? 'all';
      if (!VERDICT_FILTERS.some((v) => v === verdict)) {
        return sendJson(res, 400, { error: `verdict must be one of ${VERDICT_FILTERS.join(', ')}.`, code: 'bad_verdict' });
      }
      const matching = feed.list().filter((view) => verdict === 'all' || view.verdict === verdict);
      return sendJson(res, 200, {
        verdict,
        total: matching.length,
        deliveries: matching.slice(0, LIST_LIMIT).map(summarize),
      });
    }

    const id = match?.[1] ?? '';
    const view = feed.list().find((candidate) => candidate.id === id);
    if (view === undefined) return sendJson(res, 404, { error: `No delivery with id ${id}.`, code: 'unknown_delivery' });
    if (!isReplay) return sendJson(res, 200, describe(view));

    const crossSite = checkSameOrigin(req, allowed);
    if (crossSite !== undefined) return refuse(req, res, crossSite);
    req.resume(); // the replay request's own body means nothing; drain it
    try {
      const result = await replayDelivery({ record: view, listenerUrl: replayUrl, feed });
      log(`Replayed delivery ${id} to ${result.url}: ${result.status}`);
      return sendJson(res, 200, result);
    } catch (error) {
      const message = `The replay to ${replayUrl} failed: ${(error as Error).message}`;
      log(message);
      return sendJson(res, 502, { error: `${message}. Is the listener still running?`, code: 'replay_failed' });
    }
  }

  function refuse(req: IncomingMessage, res: ServerResponse, refusal: Refusal): void {
    log(`Inspector refused ${req.method} ${req.url} (${refusal.code}): ${refusal.error}`);
    req.resume();
    sendJson(res, refusal.status, { error: refusal.error, code: refusal.code });
  }

  await listen(server, host, options.port);
  const port = (server.address() as AddressInfo).port;
  allowed = allowedHosts(host, port);
  streams = followFeed(feed);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    async close() {
      streams?.closeAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' });
  res.end(`${JSON.stringify(body)}\n`);
}

function safeProtocol(url: string): string {
  try {
    return new URL(url).protocol;
  } catch {
    return '';
  }
}

function listen(server: ReturnType<typeof createServer>, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const inUse = error.code === 'EADDRINUSE';
      reject(
        new InspectorError(INSPECTOR_FAILED, `The inspector cannot listen on ${host}:${port}: ${inUse ? 'the port is in use' : error.message}.`, {
          hint: 'Stop what uses the port, or set INSPECT_PORT to another port (0 picks a free one).',
          cause: error,
        }),
      );
    });
    server.listen(port, host, () => resolve());
  });
}
