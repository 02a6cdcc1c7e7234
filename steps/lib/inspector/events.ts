/**
 * `GET /api/events`: the live list as Server-Sent Events. Each new or updated delivery is sent
 * as `event: delivery` with its summary as JSON, through core's event streams (one `data:` line
 * per event, a heartbeat comment every 15 s).
 *
 * A page that stops reading (a stalled tab, a script that opens streams and never reads) is
 * dropped once more than EVENT_STREAM_MAX_BUFFERED_BYTES wait unsent for it: before that bound,
 * 50 such streams grew the listener from 140 MB to 192 MB in 12 s (issue 14). The page's
 * EventSource reconnects by itself and reloads the list.
 *
 * The source is followed only while at least one stream is open (with Postgres, following holds
 * a connection of its own), and each change is summarized once for every stream.
 */
import type { DeliverySource } from '../delivery/index.ts';
import { createEventStreams, type EventStreams as CoreEventStreams } from '../core/index.ts';
import { SECURITY_HEADERS } from './guard.ts';
import { EVENT_FIELDS_MAX_BYTES, type Summarizer, summarize } from './view.ts';

export type EventStreams = Pick<CoreEventStreams, 'open' | 'closeAll'>;

export interface FollowOptions {
  /** Told when a stream is dropped for not reading. */
  readonly log?: (line: string) => void;
  /** Unsent bytes past which a stream is dropped; default EVENT_STREAM_MAX_BUFFERED_BYTES. */
  readonly maxBufferedBytes?: number;
  /** Each change's row; default `summarize` (the inspector shares its list's, which reads each body once). */
  readonly summarize?: Summarizer;
}

/** Event streams fed by `source` (a listener's feed, or a store's changes from every listener). */
export function followSource(source: Pick<DeliverySource, 'subscribe'>, options: FollowOptions = {}): EventStreams {
  const { log = () => {}, summarize: summarizeView = summarize } = options;
  const streams = createEventStreams({
    headers: SECURITY_HEADERS,
    ...(options.maxBufferedBytes === undefined ? {} : { maxBufferedBytes: options.maxBufferedBytes }),
    onDrop: () => log('Inspector: dropped an event stream that stopped reading (its page reconnects by itself).'),
  });
  let unsubscribe: (() => void) | undefined;
  const stopFollowingWhenNoneLeft = () => {
    // Runs after the stream's own close handler, so size() already leaves it out.
    if (streams.size() === 0) {
      unsubscribe?.();
      unsubscribe = undefined;
    }
  };
  return {
    open(req, res) {
      streams.open(req, res);
      res.on('close', stopFollowingWhenNoneLeft);
      // Only the bodies summarize() reads, as the list.
      unsubscribe ??= source.subscribe((view) => streams.broadcast('delivery', summarizeView(view)), { bodiesUpToBytes: EVENT_FIELDS_MAX_BYTES });
    },
    closeAll() {
      streams.closeAll();
      unsubscribe?.();
      unsubscribe = undefined;
    },
  };
}
