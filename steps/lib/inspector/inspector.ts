/**
 * The local inspector: ngrok's web inspector at 127.0.0.1:4040, given back. The @ngrok/ngrok SDK
 * has none (shared/stack.md §7), yet the tutorial checks its deliveries there. This is its own
 * server on loopback, never the listener's port, so the tunnel (which forwards only the listener
 * port) cannot reach it.
 *
 * Routes: `GET /` (the page), `GET /api/info`, `GET /api/deliveries?verdict=all|valid|invalid|rejected`
 * `&handler=all|pending|running|done|failed|dead|duplicate|not-run`, `GET /api/deliveries/:id`
 * (the body's first MiB), `GET /api/deliveries/:id/body` (all of it, as a file),
 * `POST /api/deliveries/:id/replay`, `POST /api/deliveries/:id/retry` (Retry now),
 * `GET /api/events` (Server-Sent Events).
 *
 * It reads a listener's own feed, or a store: with Postgres that is every listener's deliveries,
 * live, and `npm run inspector` runs it on its own for an operator. Each delivery shows the
 * listener's answer and, when the handler forwards to the user's app, each try and the app's answer.
 *
 * @example
 * const inspector = await startInspector({ port: config.inspect.port, feed: listener.feed, replayUrl: listener.url });
 * console.log(`Inspect deliveries at ${inspector.url}`);
 */
import { createServer } from 'node:http';
import { bindServer, isLoopbackHost, urlHost, INSPECTOR_FAILED, InspectorError } from '../core/index.ts';
import { type DeliveryFeed, type DeliverySource, feedSource } from '../delivery/index.ts';
import { followSource } from './events.ts';
import { allowedHosts } from './guard.ts';
import { createInspectorHandler, sendJson } from './routes.ts';
import { createSummarizer } from './view.ts';

export interface InspectorOptions {
  /** Loopback address to bind; default 127.0.0.1. Anything else is refused. */
  host?: string;
  /** `config.inspect.port` (INSPECT_PORT, default 4040); 0 picks a free port. */
  port: number;
  /** The running listener's deliveries (give this or `store`). */
  feed?: DeliveryFeed;
  /** A store's deliveries: with Postgres, every listener's (give this or `feed`). */
  store?: DeliverySource & { readonly engine?: string; readonly location?: string };
  /** The listener's local webhook URL: where replays go. */
  replayUrl: string;
  /**
   * The user's app the handler forwards to (LISTEN_FORWARD_TO), if any: the page names it, and a
   * replay is forwarded to it again (a replay is a duplicate, whose handler would not run otherwise).
   */
  forwardTo?: string;
  log?: (line: string) => void;
}

export interface Inspector {
  /** e.g. http://127.0.0.1:4040 */
  readonly url: string;
  /** Ends open event streams and stops the server. */
  close(): Promise<void>;
}

/** Starts the inspector; rejects with InspectorError (INSPECTOR_FAILED) when it cannot listen. */
export async function startInspector(options: InspectorOptions): Promise<Inspector> {
  const host = options.host ?? '127.0.0.1';
  const { replayUrl, log = () => {} } = options;
  const source = sourceOf(options);
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

  let allowed: ReadonlySet<string> = new Set(); // filled in once the port is known
  const summarize = createSummarizer();
  const streams = followSource(source, { log, summarize });
  const sourceInfo = options.store === undefined ? {} : { engine: options.store.engine, location: options.store.location };
  const handle = createInspectorHandler({ source, sourceInfo, replayUrl, forwardTo: options.forwardTo, streams, summarize, allowedHosts: () => allowed, log });
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`Inspector error on ${req.method} ${req.url}: ${(error as Error).message}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'The inspector failed to answer.', code: 'internal_error' });
      else res.destroy();
    });
  });

  const port = await bindServer(
    server,
    host,
    options.port,
    (error, inUse) =>
      new InspectorError(INSPECTOR_FAILED, `The inspector cannot listen on ${host}:${options.port}: ${inUse ? 'the port is in use' : error.message}.`, {
        hint: 'Stop what uses the port, or set INSPECT_PORT to another port (0 picks a free one).',
        cause: error,
      }),
  );
  allowed = allowedHosts(host, port);
  const url = `http://${urlHost(host)}:${port}`;
  return {
    url,
    async close() {
      streams.closeAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function sourceOf(options: InspectorOptions): DeliverySource {
  if ((options.feed === undefined) === (options.store === undefined)) {
    throw new InspectorError(INSPECTOR_FAILED, 'The inspector needs exactly one of feed and store to show deliveries from.', {
      hint: "Pass the listener's feed, or the store it writes to.",
    });
  }
  return options.store ?? feedSource(options.feed as DeliveryFeed);
}

function safeProtocol(url: string): string {
  try {
    return new URL(url).protocol;
  } catch {
    return '';
  }
}
