/**
 * `GET /api/events`: the live list as Server-Sent Events. Each new or updated delivery is sent
 * as `event: delivery` with its summary as JSON (JSON.stringify never emits a raw line break, so
 * one `data:` line always holds the whole object). A comment line every 15 s keeps idle
 * connections from being dropped by anything in between.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeliverySource } from '../delivery/index.ts';
import { SECURITY_HEADERS } from './guard.ts';
import { summarize } from './view.ts';

const HEARTBEAT_MS = 15_000;

export interface EventStreams {
  /** Answers `req` with an event stream that lasts until the client goes away. */
  open(req: IncomingMessage, res: ServerResponse): void;
  /** Ends every open stream (server shutdown). */
  closeAll(): void;
}

/** Event streams fed by `source` (a listener's feed, or a store's changes from every listener). */
export function followSource(source: Pick<DeliverySource, 'subscribe'>): EventStreams {
  const open = new Set<() => void>();
  return {
    open(req, res) {
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': 'text/event-stream; charset=utf-8',
        'x-accel-buffering': 'no',
      });
      res.write(': connected\n\n');
      const unsubscribe = source.subscribe((view) => {
        res.write(`event: delivery\ndata: ${JSON.stringify(summarize(view))}\n\n`);
      });
      const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      const stop = () => {
        if (!open.delete(stop)) return;
        clearInterval(heartbeat);
        unsubscribe();
        res.end();
      };
      open.add(stop);
      req.on('close', stop);
      res.on('close', stop);
    },
    closeAll() {
      for (const stop of Array.from(open)) stop();
    },
  };
}
