/**
 * Replay, as in ngrok's inspector: send a recorded request again, byte for byte, to the running
 * listener, and report what it answered. The headers are the raw pairs from the record (original
 * case, order and duplicates), less the hop-by-hop ones that describe the old connection rather
 * than the request. The listener records the replay as a new delivery; because the bytes are the
 * same it is a duplicate, and the handler does not run again.
 *
 * @example
 * const result = await replayDelivery({ record, listenerUrl: 'http://127.0.0.1:5000/webhooks', feed });
 * result.status // 200
 */
import type { DeliveryRecord, DeliverySource, DeliveryView } from '../delivery/index.ts';
import { summarize, type DeliverySummary } from './view.ts';

/** Headers that belong to one connection (RFC 9110 §7.6.1) or that the HTTP client must compute. */
const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'content-length',
  'connection',
  'transfer-encoding',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'trailer',
  'upgrade',
  'expect',
]);

/** Response bodies longer than this are cut for display. */
const REPLAY_BODY_LIMIT = 64 * 1024;

export interface ReplayOptions {
  readonly record: DeliveryRecord;
  /** The listener's webhook URL: its origin receives the replay, at the recorded path and query. */
  readonly listenerUrl: string;
  /** Watched so the result can name the delivery the replay became (any listener's, with Postgres). */
  readonly source: Pick<DeliverySource, 'subscribe' | 'get'>;
  readonly timeoutMs?: number;
  /** How long to wait, after the answer, for the listener to publish the replayed delivery. */
  readonly recordWaitMs?: number;
}

export interface ReplayResult {
  readonly url: string;
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: string;
  readonly bodyTruncated: boolean;
  /** The delivery the listener recorded for the replay, when it showed up in time. */
  readonly delivery: DeliverySummary | undefined;
}

/** The raw header pairs to resend: everything but hop-by-hop headers and those `Connection` names. */
export function replayHeaders(headers: DeliveryRecord['headers']): [string, string][] {
  const named = new Set(
    headers.filter(([name]) => name.toLowerCase() === 'connection').flatMap(([, value]) => value.split(',').map((token) => token.trim().toLowerCase())),
  );
  return headers.filter(([name]) => !HOP_BY_HOP_HEADERS.has(name.toLowerCase()) && !named.has(name.toLowerCase())).map(([name, value]) => [name, value]);
}

/**
 * Where the replay goes: the listener's origin plus the recorded path. Only a path is accepted
 * from the record, so a crafted request line cannot point the replay at another host.
 */
export function replayTarget(listenerUrl: string, recordedUrl: string): string {
  const origin = new URL(listenerUrl).origin;
  if (!recordedUrl.startsWith('/') || recordedUrl.startsWith('//')) return listenerUrl;
  const target = new URL(recordedUrl, origin);
  return target.origin === origin ? target.href : listenerUrl;
}

/** Sends `record` again and reports the answer; rejects when the listener cannot be reached. */
export async function replayDelivery(options: ReplayOptions): Promise<ReplayResult> {
  const { record, source } = options;
  const url = replayTarget(options.listenerUrl, record.url);
  // Watch from before sending, so a quick record cannot be missed: new deliveries with the same bytes.
  const seen = watchReplayed(source, record);
  const timeoutMs = options.timeoutMs ?? 10_000;
  try {
    const { body } = record;
    // undici is loaded on the first replay, not with the inspector: most runs never replay anything.
    const { request } = await import('undici');
    const response = await request(url, {
      method: record.method as 'POST',
      headers: replayHeaders(record.headers).flat(),
      body: body.length > 0 ? body : null,
      // One request, one connection: nothing pooled is left open to the listener afterwards.
      reset: true,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const { text, truncated } = await readLimited(response.body, REPLAY_BODY_LIMIT);
    const contentType = response.headers['content-type'];
    const view = await seen.within(answeredId(text), options.recordWaitMs ?? 2_000);
    return {
      url,
      status: response.statusCode,
      contentType: Array.isArray(contentType) ? contentType[0] : contentType,
      body: text,
      bodyTruncated: truncated,
      delivery: view === undefined ? undefined : summarize(view),
    };
  } catch (error) {
    // undici's words for it ("The operation was aborted due to timeout") say nothing of the listener.
    if ((error as Error).name === 'TimeoutError') throw new Error(`the listener did not answer within ${timeoutMs / 1000} s`, { cause: error });
    throw error;
  } finally {
    seen.stop();
  }
}

interface ReplayWatch {
  /** The delivery the replay became: the one the listener's answer names, else the first new one with the same bytes. */
  within(id: string | undefined, ms: number): Promise<DeliveryView | undefined>;
  stop(): void;
}

function watchReplayed(source: Pick<DeliverySource, 'subscribe' | 'get'>, record: DeliveryRecord): ReplayWatch {
  const candidates: DeliveryView[] = [];
  let wake: () => void = () => {};
  const stop = source.subscribe((view) => {
    if (view.id !== record.id && view.body.equals(record.body)) {
      candidates.push(view);
      wake();
    }
  });
  return {
    async within(id, ms) {
      const deadline = Date.now() + ms;
      const pick = () => (id === undefined ? candidates[0] : candidates.findLast((view) => view.id === id));
      // An acknowledged delivery is stored before its answer: it can be read at once.
      if (id !== undefined && pick() === undefined) {
        const stored = await source.get(id);
        if (stored !== undefined) return stored;
      }
      while (pick() === undefined && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, deadline - Date.now());
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      return pick();
    },
    stop,
  };
}

/** The delivery id in the listener's `{"received":true,"id":"…"}`, if that is what it answered. */
function answeredId(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { id?: unknown };
    return typeof parsed.id === 'string' ? parsed.id : undefined;
  } catch {
    return undefined;
  }
}

async function readLimited(body: AsyncIterable<Uint8Array> & { destroy(): unknown }, limit: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(Buffer.from(chunk));
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      return { text: Buffer.concat(chunks).subarray(0, limit).toString('utf8'), truncated: true };
    }
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
}
