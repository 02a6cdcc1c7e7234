/**
 * The inspector's routes, behind the guards of guard.ts: the page and its two static
 * files, the JSON API the page (and tests) use, a body's download, the event stream, and replay. Every answer
 * carries SECURITY_HEADERS; every refusal is JSON `{error, code}`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WorkbenchError } from '../core/index.ts';
import { type DeliverySource, type DeliveryView, HANDLER_STATES, type HandlerState, VERDICTS, type Verdict } from '../delivery/index.ts';
import type { EventStreams } from './events.ts';
import { checkHost, checkReadSite, checkSameOrigin, SECURITY_HEADERS, type Refusal } from './guard.ts';
import { INSPECTOR_CSS, INSPECTOR_HTML } from './assets/page.ts';
import { replayDelivery, type ReplayResult } from './replay.ts';
import { INSPECTOR_SCRIPT } from './assets/script.ts';
import { BODY_PREVIEW_BYTES, bodyWasKept, describe, EVENT_FIELDS_MAX_BYTES, LIST_LIMIT, type Summarizer, summarize } from './view.ts';

/** The `verdict` filter values the list accepts. */
const VERDICT_FILTERS: readonly ('all' | Verdict)[] = ['all', ...VERDICTS];
/** The `handler` filter values the list accepts. */
const HANDLER_FILTERS: readonly ('all' | HandlerState)[] = ['all', ...HANDLER_STATES];

const STATIC: Readonly<Record<string, readonly [string, string]>> = {
  '/': ['text/html; charset=utf-8', INSPECTOR_HTML],
  '/inspector.js': ['text/javascript; charset=utf-8', INSPECTOR_SCRIPT],
  '/inspector.css': ['text/css; charset=utf-8', INSPECTOR_CSS],
};
const API_PATHS = ['/api/info', '/api/deliveries', '/api/events'];
const DELIVERY_PATH = /^\/api\/deliveries\/([A-Za-z0-9_-]{1,128})(\/replay|\/retry|\/body)?$/;

/** What /api/info says about where the deliveries come from. */
export interface SourceInfo {
  /** `file` or `postgres`, when the inspector reads a store; absent for a listener's own feed. */
  readonly engine?: string | undefined;
  /** The journal folder, or DATABASE_URL with the password hidden. */
  readonly location?: string | undefined;
}

export interface RouteContext {
  readonly source: DeliverySource;
  readonly sourceInfo: SourceInfo;
  readonly replayUrl: string;
  /** The user's app the handler forwards to, if any: a replay is forwarded to it again. */
  readonly forwardTo: string | undefined;
  readonly streams: EventStreams;
  /** The list's rows (each body read once for its key fields). */
  readonly summarize: Summarizer;
  /** The `Host` values that name this server (known once it listens). */
  readonly allowedHosts: () => ReadonlySet<string>;
  readonly log: (line: string) => void;
}

/** Answers one request; rejects only on a bug (the caller answers 500). */
export function createInspectorHandler(ctx: RouteContext): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { source, replayUrl, log } = ctx;
  const refuse = (req: IncomingMessage, res: ServerResponse, refusal: Refusal): void => {
    log(`Inspector refused ${req.method} ${req.url} (${refusal.code}): ${refusal.error}`);
    req.resume();
    sendJson(res, refusal.status, { error: refusal.error, code: refusal.code });
  };

  return async (req, res) => {
    const badHost = checkHost(req, ctx.allowedHosts());
    if (badHost !== undefined) return refuse(req, res, badHost);
    const target = parseTarget(req.url ?? '/');
    // Node passes on an absolute-form target it cannot parse either (`GET http://[bad/`): a bad request, not a bug.
    if (target === null) return sendJson(res, 400, { error: `The request target ${JSON.stringify(req.url)} is not a URL.`, code: 'bad_request' });
    const { pathname, searchParams } = target;
    if (pathname === '/favicon.ico') return void res.writeHead(204, SECURITY_HEADERS).end();
    const page = STATIC[pathname];
    const match = DELIVERY_PATH.exec(pathname);
    const action = match?.[2] === '/replay' ? 'replay' : match?.[2] === '/retry' ? 'retry' : undefined;
    const isReplay = action !== undefined;
    const isDownload = match?.[2] === '/body';
    if (page === undefined && match === null && !API_PATHS.includes(pathname)) {
      return sendJson(res, 404, { error: `No such page: ${pathname}`, code: 'not_found' });
    }
    const expected = isReplay ? 'POST' : 'GET';
    // HEAD only for the static files: a HEAD on the event stream would hold a connection open for nothing.
    if (req.method !== expected && !(page !== undefined && req.method === 'HEAD')) {
      res.setHeader('allow', page !== undefined ? 'GET, HEAD' : expected);
      return sendJson(res, 405, { error: `${req.method} is not allowed on ${pathname}; use ${expected}.`, code: 'method_not_allowed' });
    }

    // The page itself opens from a link on any site; what it reads, only for itself.
    if (page !== undefined) return void res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': page[0] }).end(page[1]);
    const foreignRead = action === undefined ? checkReadSite(req, pathname) : undefined;
    if (foreignRead !== undefined) return refuse(req, res, foreignRead);
    if (pathname === '/api/info') {
      return sendJson(res, 200, { listenerUrl: replayUrl, ...ctx.sourceInfo, retryNow: source.retryNow !== undefined, forwardTo: ctx.forwardTo ?? null });
    }
    if (pathname === '/api/events') return ctx.streams.open(req, res);
    if (pathname === '/api/deliveries') {
      const verdict = searchParams.get('verdict') ?? 'all';
      if (!VERDICT_FILTERS.some((v) => v === verdict)) {
        return sendJson(res, 400, { error: `verdict must be one of ${VERDICT_FILTERS.join(', ')}.`, code: 'bad_verdict' });
      }
      const handler = searchParams.get('handler') ?? undefined;
      if (handler !== undefined && !HANDLER_FILTERS.some((h) => h === handler)) {
        return sendJson(res, 400, { error: `handler must be one of ${HANDLER_FILTERS.join(', ')}.`, code: 'bad_handler' });
      }
      const query = {
        verdict: verdict === 'all' ? undefined : (verdict as Verdict),
        handler: handler === undefined || handler === 'all' ? undefined : (handler as HandlerState),
        limit: LIST_LIMIT,
        // Only the bodies summarize() reads: with Postgres, 1000 rows of large bodies took longer than the statement timeout.
        bodiesUpToBytes: EVENT_FIELDS_MAX_BYTES,
      };
      const { total, deliveries } = await source.list(query);
      return sendJson(res, 200, { verdict, ...(handler === undefined ? {} : { handler }), total, deliveries: deliveries.map(ctx.summarize) });
    }

    const id = match?.[1] ?? '';
    // Replay needs every byte at once; the download reads a slice at a time (sendBody), the detail shows the first
    // BODY_PREVIEW_BYTES, and Retry now only looks the delivery up (retryNow reads it again).
    const view = await source.get(id, action === 'replay' ? {} : { bodyUpToBytes: isDownload ? BODY_SLICE_BYTES : BODY_PREVIEW_BYTES });
    if (view === undefined) return sendJson(res, 404, { error: `No delivery with id ${id}.`, code: 'unknown_delivery' });
    if (isDownload) return sendBody(res, view, source, log);
    if (action === undefined) return sendJson(res, 200, describe(view));

    const crossSite = checkSameOrigin(req, ctx.allowedHosts(), action);
    if (crossSite !== undefined) return refuse(req, res, crossSite);
    req.resume(); // the request's own body means nothing; drain it
    if (action === 'retry') return retryNow(source, id, res, log);
    // A body refused unread (413, 408) is not stored: resending the headers alone is not the request again.
    if (!bodyWasKept(view)) {
      const error = `Delivery ${id} cannot be replayed: its body (${view.bodyBytes} bytes) was not kept, because the listener refused it unread (${view.code}).`;
      return sendJson(res, 409, { error, code: 'body_not_kept' });
    }
    try {
      const result = await replayDelivery({ record: view, listenerUrl: replayUrl, source });
      log(`Replayed delivery ${id} to ${result.url}: ${result.status}`);
      return sendJson(res, 200, await forwardReplay(source, result, ctx.forwardTo, log));
    } catch (error) {
      const message = `The replay to ${replayUrl} failed: ${(error as Error).message}`;
      log(message);
      return sendJson(res, 502, { error: `${message}. Is the listener still running?`, code: 'replay_failed' });
    }
  };
}

/** What a replay answers: the listener's answer, and whether the replayed copy goes to the user's app again. */
export interface ReplayAnswer extends ReplayResult {
  /** Set when the handler forwards: the app it goes to, or why it does not. */
  readonly forward?: { readonly to: string; readonly queued: boolean; readonly message?: string };
}

/**
 * With forwarding on, the replayed copy is queued for the handler (the forward) although the
 * listener recorded it as a duplicate: replaying is how a user sends a delivery to their app
 * again after changing it. A copy the listener took as new is forwarded anyway.
 */
async function forwardReplay(source: DeliverySource, result: ReplayResult, forwardTo: string | undefined, log: (line: string) => void): Promise<ReplayAnswer> {
  const copy = result.delivery;
  if (forwardTo === undefined || copy === undefined || copy.code !== 'ok') return result;
  if (copy.handler !== 'duplicate') return { ...result, forward: { to: forwardTo, queued: copy.handler === 'pending' } };
  if (source.retryNow === undefined) return { ...result, forward: { to: forwardTo, queued: false, message: 'Nothing here runs handlers.' } };
  const queued = await source.retryNow(copy.id, { duplicate: true }).catch((error: unknown) => ({ ok: false as const, message: explain(error) }));
  if (!queued.ok) return { ...result, forward: { to: forwardTo, queued: false, message: queued.message } };
  log(`Replay ${copy.id} is queued to be forwarded to ${forwardTo}.`);
  return { ...result, delivery: summarize(queued.delivery), forward: { to: forwardTo, queued: true } };
}

/** Queues the handler of a failed or dead delivery again; 409 when it is neither, 501 when nothing here can. */
async function retryNow(source: DeliverySource, id: string, res: ServerResponse, log: (line: string) => void): Promise<void> {
  if (source.retryNow === undefined) {
    return sendJson(res, 501, { error: 'Retry now needs a listener that runs handlers, or Postgres (DATABASE_URL).', code: 'retry_unavailable' });
  }
  let result: Awaited<ReturnType<typeof source.retryNow>>;
  try {
    result = await source.retryNow(id);
  } catch (error) {
    // The store refused the write (a read-only database, Postgres gone): say why, not "failed to answer".
    const message = `Retry now failed: ${explain(error)}`;
    log(message);
    return sendJson(res, 503, { error: message, code: 'retry_failed' });
  }
  if (!result.ok) return sendJson(res, result.reason === 'unknown_delivery' ? 404 : 409, { error: result.message, code: result.reason });
  log(`Retry now: delivery ${id} is queued for its handler again.`);
  return sendJson(res, 200, { delivery: summarize(result.delivery) });
}

/**
 * How much of a body the download reads at once: a 16 MiB body read from Postgres as one value
 * was 32 MiB of hex in the inspector's memory before its first byte went out.
 */
const BODY_SLICE_BYTES = 1024 * 1024;

/**
 * The body exactly as received, as a file to save: the detail shows only its first
 * BODY_PREVIEW_BYTES. 409 `body_not_kept` for one the listener refused unread (only its size is
 * known). `view` holds the first slice; the rest is read a slice at a time, each sent before the
 * next is read, and no faster than the client takes them.
 */
async function sendBody(res: ServerResponse, view: DeliveryView, source: DeliverySource, log: (line: string) => void): Promise<void> {
  if (!bodyWasKept(view)) {
    const error = `Delivery ${view.id} has no body to download: its ${view.bodyBytes} bytes were not kept, because the listener refused them unread (${view.code}).`;
    sendJson(res, 409, { error, code: 'body_not_kept' });
    return;
  }
  const size = view.storedBodyBytes ?? view.body.length;
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': 'application/octet-stream',
    // The id is [A-Za-z0-9_-] (DELIVERY_PATH): safe in a file name as it is.
    'content-disposition': `attachment; filename="delivery-${view.id}.bin"`,
    'content-length': String(size),
  });
  let sent = view.body.length;
  let flowing = res.write(view.body);
  while (sent < size) {
    if (!flowing && !res.destroyed) await drained(res);
    if (res.destroyed) return; // the client went away
    const slice = await source.readBody(view.id, sent, BODY_SLICE_BYTES);
    if (res.destroyed) return;
    if (slice === undefined || slice.length === 0) {
      // Deleted meanwhile (retention): the client sees a download shorter than its Content-Length, not a file cut silently.
      log(`Download of delivery ${view.id} stopped at ${sent} of ${size} bytes: it is no longer stored.`);
      res.destroy();
      return;
    }
    sent += slice.length;
    flowing = res.write(slice);
  }
  res.end();
}

/** Resolves once `res` takes more writes, or is closed. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}

/** An error's message, and its Next: hint when it has one (a coded store error says what to fix). */
function explain(error: unknown): string {
  if (error instanceof WorkbenchError && error.hint !== undefined) return `${error.message} Next: ${error.hint}`;
  return error instanceof Error ? error.message : String(error);
}

/** The request target as a URL, or null when it is not one. */
function parseTarget(target: string): URL | null {
  try {
    return new URL(target, 'http://inspector.invalid');
  } catch {
    return null;
  }
}

/** Sends `body` as JSON with the security headers. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' });
  res.end(`${JSON.stringify(body)}\n`);
}
