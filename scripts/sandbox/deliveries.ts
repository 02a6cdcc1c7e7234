/**
 * Webhook deliveries: sign once, POST with undici, retry on the configured schedule until a 2xx.
 *
 * Bracken documents the request (POST, JSON body, `Authorization: HMACSHA256 <base64>`) but not
 * what it does when the receiver fails (shared/bracken-api.md §2). Retrying is the sandbox's own
 * behaviour: attempt 1 goes out at once; after failed attempt n it waits `retryScheduleMs[n-1]`,
 * and the last delay repeats until the receiver answers 2xx. Every attempt sends the same bytes
 * and the same signature, stored with the delivery, so a receiver can deduplicate on them.
 *
 * @example
 * const engine = createDeliveryEngine({ store, retryScheduleMs: [250, 500], timeoutMs: 5000, log: console.log });
 * const created = engine.enqueue(payload);  // pending, in the store
 * await store.save();                       // on disk before the first attempt
 * created.forEach(engine.schedule);
 */
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'undici';
import { bracken } from '../../steps/lib/signature/index.ts';
import { encodePayload, type EventPayload } from './events.ts';
import { createIdleSignal } from './idle-signal.ts';
import type { Store, StoredDelivery } from './store.ts';

/** Delivered records kept for `GET /sandbox/deliveries`; pending ones are never dropped. */
const DELIVERED_KEPT = 500;

export interface DeliveryEngineOptions {
  readonly store: Store;
  readonly retryScheduleMs: readonly number[];
  /** Per attempt: connect, send and receive the response headers. */
  readonly timeoutMs: number;
  readonly log: (line: string) => void;
}

export interface DeliveryEngine {
  /** Adds a pending delivery for each ACTIVE subscription to `payload`'s event; does not save or send. */
  enqueue(payload: EventPayload): StoredDelivery[];
  /** Plans the next attempt of a pending delivery (at once when it is due). */
  schedule(delivery: StoredDelivery): void;
  /** Resolves when no delivery is pending or in flight; rejects after `timeoutMs` if given. */
  whenIdle(timeoutMs?: number): Promise<void>;
  /** Stops sending: aborts attempts in flight (they stay pending) and saves the store. */
  close(): Promise<void>;
}

/** The delivery engine over `store`: owns one undici Agent, the retry timers and the attempts in flight. */
export function createDeliveryEngine(options: DeliveryEngineOptions): DeliveryEngine {
  const { store, retryScheduleMs, timeoutMs, log } = options;
  const agent = new Agent({ keepAliveTimeout: 1_000, connect: { timeout: timeoutMs } });
  const stopping = new AbortController();
  const timers = new Map<string, NodeJS.Timeout>();
  const inFlight = new Map<string, Promise<void>>();
  const pendingCount = () => store.data.deliveries.filter((d) => d.status === 'pending').length;
  const idle = createIdleSignal(
    () => inFlight.size === 0 && pendingCount() === 0,
    () => `${pendingCount()} sandbox deliveries pending, ${inFlight.size} in flight`,
  );

  async function attempt(delivery: StoredDelivery): Promise<void> {
    const started = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await request(delivery.target, {
        method: 'POST',
        dispatcher: agent,
        headers: {
          'content-type': 'application/json',
          authorization: delivery.authorization,
          'user-agent': 'bracken-webhook-workbench-sandbox',
        },
        body: delivery.body,
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), stopping.signal]),
      });
      status = response.statusCode;
      await response.body.dump().catch(() => undefined); // the answer's body does not matter
    } catch (cause) {
      if (stopping.signal.aborted) return; // shutting down: not an attempt, it stays pending for the next start
      error = describe(cause, timeoutMs);
    }
    const ms = Math.round(performance.now() - started);
    const at = new Date().toISOString();
    delivery.attempts += 1;
    delivery.lastAttemptAt = at;
    delivery.lastStatus = status;
    const label = `${delivery.eventname} -> ${delivery.target} attempt ${delivery.attempts}`;
    if (status !== null && status >= 200 && status < 300) {
      Object.assign(delivery, { status: 'delivered', deliveredAt: at, nextAttemptAt: null, lastError: null });
      log(`${label}: ${status} delivered (${ms} ms)`);
      pruneDelivered();
    } else {
      const delay = retryScheduleMs[Math.min(delivery.attempts - 1, retryScheduleMs.length - 1)] ?? 0;
      delivery.lastError = error ?? `HTTP ${status}`;
      delivery.nextAttemptAt = new Date(Date.now() + delay).toISOString();
      log(`${label}: ${delivery.lastError} (${ms} ms); next attempt in ${delay} ms`);
      schedule(delivery);
    }
    await store.save().catch((cause: unknown) => log(`could not save ${store.file}: ${(cause as Error).message}`));
  }

  function schedule(delivery: StoredDelivery): void {
    if (stopping.signal.aborted || delivery.status !== 'pending' || timers.has(delivery.id)) return;
    const due = delivery.nextAttemptAt === null ? 0 : Date.parse(delivery.nextAttemptAt) - Date.now();
    const timer = setTimeout(
      () => {
        timers.delete(delivery.id);
        const running = attempt(delivery).finally(() => {
          inFlight.delete(delivery.id);
          idle.notify();
        });
        inFlight.set(delivery.id, running);
      },
      Math.max(0, due),
    );
    timers.set(delivery.id, timer);
  }

  function pruneDelivered(): void {
    const delivered = store.data.deliveries.filter((d) => d.status === 'delivered');
    const excess = new Set(delivered.slice(0, Math.max(0, delivered.length - DELIVERED_KEPT)));
    if (excess.size > 0) store.data.deliveries = store.data.deliveries.filter((d) => !excess.has(d));
  }

  return {
    enqueue(payload) {
      const body = encodePayload(payload);
      const created: StoredDelivery[] = [];
      for (const sub of store.data.subscriptions) {
        if (!sub.active || sub.domainkey !== payload.domainkey || sub.eventname !== payload.eventname) continue;
        const delivery: StoredDelivery = {
          id: `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`,
          eventname: payload.eventname,
          domainkey: payload.domainkey,
          target: sub.target,
          body,
          // The scheme module is the one place that knows Bracken's header format.
          authorization: bracken.sign({ body: Buffer.from(body, 'utf8'), secret: sub.secret }).authorization ?? '',
          createdAt: new Date().toISOString(),
          status: 'pending',
          attempts: 0,
          nextAttemptAt: null,
          lastAttemptAt: null,
          lastStatus: null,
          lastError: null,
          deliveredAt: null,
        };
        store.data.deliveries.push(delivery);
        created.push(delivery);
      }
      return created;
    },

    schedule,

    whenIdle: (timeoutMs) => idle.wait(timeoutMs),

    async close() {
      stopping.abort();
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled(inFlight.values());
      await agent.destroy();
      await store.save();
      idle.failAll(new Error(`The sandbox closed with ${pendingCount()} deliveries pending.`));
    },
  };
}

/** One short phrase for a failed attempt: `timed out after 5000 ms`, `ECONNREFUSED ...`. */
function describe(cause: unknown, timeoutMs: number): string {
  if (cause instanceof Error) {
    if (cause.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
    const code = (cause as NodeJS.ErrnoException).code;
    return code !== undefined && !cause.message.includes(code) ? `${code} ${cause.message}` : cause.message;
  }
  return String(cause);
}
