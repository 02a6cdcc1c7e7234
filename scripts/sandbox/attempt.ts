/**
 * One delivery attempt: POST the delivery's exact bytes and signature to its target, and keep what
 * came back (status, headers, the first 4 KiB of the body, the time it took) or the network error.
 * This is what the sandbox's delivery log shows for each attempt, as Stripe's and Svix's dashboards do.
 *
 * @example
 * const attempt = await sendAttempt({ delivery, number: 1, trigger: 'schedule', agent, timeoutMs: 5000, signal, now: Date.now });
 * attempt.response?.status // 200
 */
import type { Agent } from 'undici';
import { request } from 'undici';
import type { DeliveryAttempt, StoredDelivery } from './store.ts';

/** How much of a receiver's answer is kept per attempt. */
export const ATTEMPT_BODY_BYTES = 4096;
/** Past this, the rest of an answer is not read at all: the connection is dropped instead. */
const DRAIN_LIMIT_BYTES = 64 * 1024;

const USER_AGENT = 'bracken-webhook-workbench-sandbox';

/** The headers every attempt of `delivery` sends (undici adds host, connection and content-length). */
export function deliveryHeaders(delivery: Pick<StoredDelivery, 'authorization'>): [string, string][] {
  return [
    ['content-type', 'application/json'],
    ['authorization', delivery.authorization],
    ['user-agent', USER_AGENT],
  ];
}

export interface AttemptOptions {
  readonly delivery: Pick<StoredDelivery, 'target' | 'body' | 'authorization'>;
  readonly number: number;
  readonly trigger: DeliveryAttempt['trigger'];
  readonly agent: Agent;
  /** Per attempt: connect, send, and read the answer. */
  readonly timeoutMs: number;
  /** Aborts the attempt (the sandbox stopping): the attempt's error is then the signal's reason. */
  readonly signal: AbortSignal;
  readonly now: () => number;
}

/** Sends one attempt and describes it; never rejects (a failure is an attempt with an `error`). */
export async function sendAttempt(options: AttemptOptions): Promise<DeliveryAttempt> {
  const { delivery, timeoutMs } = options;
  const at = new Date(options.now()).toISOString();
  const started = performance.now();
  const done = (response: DeliveryAttempt['response'], error: string | null): DeliveryAttempt => ({
    number: options.number,
    at,
    trigger: options.trigger,
    target: delivery.target,
    latencyMs: Math.round(performance.now() - started),
    response,
    error,
  });
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const response = await request(delivery.target, {
      method: 'POST',
      dispatcher: options.agent,
      headers: deliveryHeaders(delivery).flat(),
      body: delivery.body,
      signal: AbortSignal.any([timeout, options.signal]),
    });
    const { text, truncated } = await readStart(response.body);
    return done({ status: response.statusCode, headers: headerPairs(response.headers), body: text, bodyTruncated: truncated }, null);
  } catch (cause) {
    if (options.signal.aborted) return done(null, `aborted: ${String(options.signal.reason)}`);
    return done(null, timeout.aborted ? `timed out after ${timeoutMs} ms` : describe(cause));
  }
}

/** The first ATTEMPT_BODY_BYTES of `body` as UTF-8, reading (and dropping) at most DRAIN_LIMIT_BYTES. */
async function readStart(body: AsyncIterable<Uint8Array>): Promise<{ text: string; truncated: boolean }> {
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let total = 0;
  for await (const chunk of body) {
    total += chunk.length;
    if (keptBytes < ATTEMPT_BODY_BYTES) {
      const part = Buffer.from(chunk).subarray(0, ATTEMPT_BODY_BYTES - keptBytes);
      kept.push(part);
      keptBytes += part.length;
    }
    if (total > DRAIN_LIMIT_BYTES) break; // leaving the loop destroys the stream, and with it the connection
  }
  return { text: Buffer.concat(kept).toString('utf8'), truncated: total > keptBytes };
}

function headerPairs(headers: Record<string, string | string[] | undefined>): [string, string][] {
  return Object.entries(headers).flatMap(([name, value]) =>
    value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((one): [string, string] => [name, one]),
  );
}

/** One short phrase for a failed attempt: `ECONNREFUSED connect ECONNREFUSED 127.0.0.1:5000`. */
function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code !== undefined && !cause.message.includes(code) ? `${code} ${cause.message}` : cause.message;
  }
  return String(cause);
}
