/**
 * Server-Sent Events for a local page, with a bound on what a client that does not read can cost.
 * Each event is `event: <name>` plus one `data:` line of JSON (JSON.stringify never emits a raw line
 * break, so one line always holds the whole value). A comment line every 15 s keeps an idle
 * connection from being dropped by anything in between.
 *
 * A client that stops reading (a stalled tab, a hostile script) would otherwise make the server
 * queue every event for it in memory for as long as the connection lasts. Once more than
 * `maxBufferedBytes` wait unsent, the stream is dropped; a browser's EventSource reconnects by
 * itself and reloads what it missed.
 *
 * @example
 * const streams = createEventStreams({ headers: SECURITY_HEADERS });
 * app.get('/events', (req, res) => streams.open(req, res));
 * streams.broadcast('delivery', view);
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

const HEARTBEAT_MS = 15_000;
/** Default bound on unsent bytes per stream: far above a burst of events, far below a leak. */
export const EVENT_STREAM_MAX_BUFFERED_BYTES = 1024 * 1024;

export interface EventStreamOptions {
  /** Headers on the stream's answer besides the content type (e.g. SECURITY_HEADERS). */
  readonly headers?: Readonly<OutgoingHttpHeaders>;
  readonly maxBufferedBytes?: number;
  /** Told when a stream is dropped for not reading. */
  readonly onDrop?: (req: IncomingMessage) => void;
}

export interface EventStreams {
  /** Answers `req` with an event stream that lasts until the client goes away. */
  open(req: IncomingMessage, res: ServerResponse): void;
  /** Sends one event to every open stream. */
  broadcast(event: string, data: unknown): void;
  /** How many streams are open. */
  size(): number;
  /** Ends every open stream (server shutdown). */
  closeAll(): void;
}

/** A set of event streams that `broadcast` writes to. */
export function createEventStreams(options: EventStreamOptions = {}): EventStreams {
  const max = options.maxBufferedBytes ?? EVENT_STREAM_MAX_BUFFERED_BYTES;
  const open = new Map<ServerResponse, () => void>();

  const write = (res: ServerResponse, text: string): void => {
    const stop = open.get(res);
    if (stop === undefined) return;
    if (res.writableLength + Buffer.byteLength(text) > max) {
      options.onDrop?.(res.req);
      stop();
      res.destroy(); // end() would queue behind the unread bytes; the client reconnects
      return;
    }
    res.write(text);
  };

  return {
    open(req, res) {
      res.writeHead(200, { ...options.headers, 'content-type': 'text/event-stream; charset=utf-8', 'x-accel-buffering': 'no' });
      res.write(': connected\n\n');
      const heartbeat = setInterval(() => write(res, ': ping\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      const stop = () => {
        if (!open.delete(res)) return;
        clearInterval(heartbeat);
        res.end();
      };
      open.set(res, stop);
      req.on('close', stop);
      res.on('close', stop);
    },
    broadcast(event, data) {
      const text = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
      for (const res of Array.from(open.keys())) write(res, text);
    },
    size: () => open.size,
    closeAll() {
      for (const stop of Array.from(open.values())) stop();
    },
  };
}
