/**
 * Webhook deliveries: sign once, POST with undici, retry on the configured schedule until a 2xx or
 * until the delivery is too old, and keep every attempt with the receiver's answer.
 *
 * Bracken documents the request (POST, JSON body, `Authorization: HMACSHA256 <base64>`) but not
 * what it does when the receiver fails (shared/bracken-api.md §2). Retrying is the sandbox's own
 * behaviour (retry-policy.ts): attempt 1 goes out at once; after failed attempt n it waits
 * `retryScheduleMs[n-1]`, the last delay repeats, and once the next attempt would fall later than
 * `retryMaxAgeMs` after the delivery was made it is `failed` for good. Every attempt sends the same
 * bytes and the same signature, stored with the delivery, so a receiver can deduplicate on them.
 *
 * A route fires an event with `publish` (queue, save, then send: nothing is sent that is not on
 * disk, and nothing stays queued when the save fails). People resend and cancel through the
 * delivery log (`resend`, `cancel`); a subscription that is deactivated or re-pointed cancels its
 * pending deliveries (`cancelPending`) so none reaches the old target.
 *
 * @example
 * const engine = createDeliveryEngine({ store, retryScheduleMs: [250, 500], retryMaxAgeMs: 3 * 86_400_000, timeoutMs: 5000, log: console.log });
 * const created = await engine.publish(payload); // saved, then sent
 * await engine.cancel(created[0].id);            // if still pending
 */
import { randomBytes } from 'node:crypto';
import { Agent } from 'undici';
import { bracken } from '../../steps/lib/signature/index.ts';
import { sendAttempt, withEarlierAnswer } from './attempt.ts';
import { DeliveryActionError } from './errors.ts';
import { encodePayload, type EventPayload } from './events.ts';
import { createIdleSignal } from './idle-signal.ts';
import { expired, nextAttempt, type RetryPolicy } from './retry-policy.ts';
import type { Change, DeliveryAttempt, Store, StoredDelivery } from './store.ts';

/** Finished (delivered, failed, cancelled) records kept for the delivery log; pending ones are never dropped. */
const FINISHED_KEPT = 500;
/** Attempts kept per delivery (the most recent); `attempts` still counts them all. */
export const ATTEMPTS_KEPT = 10;
/**
 * Scheduled attempts on their way at once; the others that are due wait their turn, oldest due
 * first. Without a bound, a restart with thousands of pending deliveries opened as many
 * connections to the receiver at once, and answers queued behind them ran past the 5 s timeout.
 * A resend (someone asked for it) does not wait.
 */
export const ATTEMPTS_AT_ONCE = 8;

export interface DeliveryEngineOptions {
  readonly store: Store;
  readonly retryScheduleMs: readonly number[];
  /** After this long a delivery not yet delivered is `failed` (SANDBOX_RETRY_MAX_AGE). */
  readonly retryMaxAgeMs: number;
  /** Per attempt: connect, send and read the answer. */
  readonly timeoutMs: number;
  readonly log: (line: string) => void;
  /** The clock for timestamps and the retry policy (tests move it on by days); default Date.now. */
  readonly now?: () => number;
  /** Told after every change to a delivery (queued, attempt started or done, cancelled, failed), and whether an attempt is on its way. */
  readonly onChange?: (delivery: StoredDelivery, inFlight: boolean) => void;
  /** The body bytes for an event; default encodePayload (events.ts), the sandbox's provisional shapes. */
  readonly encodePayload?: (payload: EventPayload) => string;
}

export interface DeliveryEngine {
  /** Adds a pending delivery for each ACTIVE subscription to `payload`'s event; does not save or send. */
  enqueue(payload: EventPayload): StoredDelivery[];
  /**
   * Fires `payload`'s event: queues its deliveries, saves them together with a change the caller
   * already made (`also`, e.g. the new user), then sends them. When the save fails both are taken
   * back and the StateError is thrown: nothing was queued, nothing will be sent.
   */
  publish(payload: EventPayload, also?: { undo(): void }): Promise<StoredDelivery[]>;
  /** `publish` for several events in one save (a pass that completes a course fires two): each event's deliveries, in order. */
  publishAll(payloads: readonly EventPayload[], also?: { undo(): void }): Promise<StoredDelivery[][]>;
  /** Plans the next attempt of a pending delivery (at once when it is due). */
  schedule(delivery: StoredDelivery): void;
  /** A new attempt of the same bytes now; resolves after it, with the delivery. Throws DeliveryActionError. */
  resend(id: string): Promise<StoredDelivery>;
  /** Cancels a pending delivery and saves; resolves with it. Throws DeliveryActionError, or StateError when the save fails (then nothing changed). */
  cancel(id: string): Promise<StoredDelivery>;
  /** Cancels the pending deliveries `which` selects, with `reason`; does not save. For a caller's transaction. */
  cancelPending(which: (delivery: StoredDelivery) => boolean, reason: string): Change<StoredDelivery[]>;
  /** True while an attempt of that delivery is on its way. */
  inFlight(id: string): boolean;
  /** Resolves when no delivery is pending or in flight; rejects after `timeoutMs` if given. */
  whenIdle(timeoutMs?: number): Promise<void>;
  /** Stops sending: aborts attempts in flight (they stay as they were) and saves the store. */
  close(): Promise<void>;
}

/** The delivery engine over `store`: owns one undici Agent, the retry timers and the attempts in flight. */
export function createDeliveryEngine(options: DeliveryEngineOptions): DeliveryEngine {
  const { store, timeoutMs, log } = options;
  const now = options.now ?? Date.now;
  const changed = options.onChange ?? (() => undefined);
  const policy: RetryPolicy = { scheduleMs: options.retryScheduleMs, maxAgeMs: options.retryMaxAgeMs };
  const agent = new Agent({ keepAliveTimeout: 1_000, connect: { timeout: timeoutMs } });
  const stopping = new AbortController();
  const timers = new Map<string, NodeJS.Timeout>();
  const running = new Map<string, Promise<void>>();
  /** Due deliveries waiting for a free slot (ATTEMPTS_AT_ONCE), in the order they fell due. */
  const waiting = new Set<StoredDelivery>();
  let scheduledRunning = 0;
  const pendingCount = () => store.data.deliveries.filter((d) => d.status === 'pending').length;
  const idle = createIdleSignal(
    () => running.size === 0 && pendingCount() === 0,
    () => `${pendingCount()} sandbox deliveries pending, ${running.size} in flight`,
  );
  const iso = (ms: number) => new Date(ms).toISOString();
  const persist = () => store.save().catch((cause: unknown) => log(`could not save ${store.file}: ${(cause as Error).message}`));

  const onChange = (delivery: StoredDelivery) => changed(delivery, running.has(delivery.id));
  const find = (id: string): StoredDelivery => {
    const delivery = store.data.deliveries.find((d) => d.id === id);
    if (delivery === undefined) throw new DeliveryActionError(404, 'unknown_delivery', `No delivery with id ${JSON.stringify(id)}.`);
    return delivery;
  };

  function stopTimer(delivery: StoredDelivery): void {
    clearTimeout(timers.get(delivery.id));
    timers.delete(delivery.id);
    waiting.delete(delivery);
  }

  function end(delivery: StoredDelivery, status: 'failed' | 'cancelled', reason: string): void {
    stopTimer(delivery);
    Object.assign(delivery, { status, reason, endedAt: iso(now()), nextAttemptAt: null });
  }

  /**
   * Makes one attempt, applies its outcome and saves it (start() announces it); `sent` is called
   * once the answer is in, before the save. An attempt cut short by close() leaves no trace.
   */
  async function attempt(delivery: StoredDelivery, trigger: DeliveryAttempt['trigger'], sent: () => void): Promise<void> {
    const number = delivery.attempts + 1;
    const result = await sendAttempt({ delivery, number, trigger, agent, timeoutMs, signal: stopping.signal, now });
    sent();
    if (stopping.signal.aborted) return; // shutting down: not an attempt; a pending delivery resumes on the next start
    const status = result.response?.status ?? null;
    Object.assign(delivery, { attempts: number, lastAttemptAt: result.at, lastStatus: status });
    // Only the newest answer keeps its 4 KiB; the earlier ones keep their start (attempt.ts).
    delivery.attemptLog = [...delivery.attemptLog.slice(1 - ATTEMPTS_KEPT).map(withEarlierAnswer), result];
    const label = `${delivery.eventname} -> ${delivery.target} attempt ${number}${trigger === 'resend' ? ' (resend)' : ''}`;
    if (status !== null && status >= 200 && status < 300) {
      // A 2xx means the receiver has it, whatever the delivery's state was (a resend of a failed one).
      Object.assign(delivery, { status: 'delivered', deliveredAt: result.at, nextAttemptAt: null, lastError: null, reason: null, endedAt: null });
      log(`${label}: ${status} delivered (${result.latencyMs} ms)`);
    } else {
      delivery.lastError = result.error ?? `HTTP ${status}`;
      const failure = `${label}: ${delivery.lastError} (${result.latencyMs} ms)`;
      if (delivery.status !== 'pending') {
        log(`${failure}; the delivery stays ${delivery.status}`);
      } else {
        const at = now();
        const next = nextAttempt(policy, delivery, at);
        if ('giveUp' in next) {
          end(delivery, 'failed', next.giveUp);
          log(`${failure}; failed for good: ${next.giveUp}`);
        } else {
          delivery.nextAttemptAt = iso(next.retryAt);
          log(`${failure}; next attempt in ${next.retryAt - at} ms`);
        }
      }
    }
    pruneFinished();
    await persist();
  }

  /** Runs an attempt now, tracked as in flight until its outcome is applied; then plans the next one if it is still pending. */
  function start(delivery: StoredDelivery, trigger: DeliveryAttempt['trigger']): Promise<void> {
    // The slot is for sending: it frees up once the answer is in, not after the store write
    // (with thousands pending the store is tens of MB, and a write takes a second or more).
    const freeSlot = () => {
      scheduledRunning -= 1;
      startWaiting();
    };
    if (trigger === 'schedule') scheduledRunning += 1;
    const run = attempt(delivery, trigger, trigger === 'schedule' ? freeSlot : () => undefined).finally(() => {
      running.delete(delivery.id);
      schedule(delivery);
      onChange(delivery);
      idle.notify();
    });
    running.set(delivery.id, run);
    onChange(delivery);
    return run;
  }

  /** Starts due deliveries while there are free slots; one that was cancelled or resent meanwhile is skipped. */
  function startWaiting(): void {
    for (const delivery of waiting) {
      if (stopping.signal.aborted || scheduledRunning >= ATTEMPTS_AT_ONCE) return;
      waiting.delete(delivery);
      if (delivery.status === 'pending' && !running.has(delivery.id)) void start(delivery, 'schedule');
    }
  }

  function schedule(delivery: StoredDelivery): void {
    if (stopping.signal.aborted || delivery.status !== 'pending' || timers.has(delivery.id) || running.has(delivery.id) || waiting.has(delivery)) return;
    const at = now();
    const due = delivery.nextAttemptAt === null ? at : Date.parse(delivery.nextAttemptAt);
    const tooOld = expired(policy, delivery, Math.max(due, at));
    if (tooOld !== undefined) {
      end(delivery, 'failed', tooOld);
      log(`${delivery.eventname} -> ${delivery.target}: failed for good: ${tooOld}`);
      onChange(delivery);
      idle.notify();
      void persist();
      return;
    }
    const timer = setTimeout(
      () => {
        timers.delete(delivery.id);
        waiting.add(delivery);
        startWaiting();
      },
      Math.max(0, due - at),
    );
    timers.set(delivery.id, timer);
  }

  function pruneFinished(): void {
    const finished = store.data.deliveries.filter((d) => d.status !== 'pending');
    const excess = new Set(finished.slice(0, Math.max(0, finished.length - FINISHED_KEPT)));
    if (excess.size > 0) store.data.deliveries = store.data.deliveries.filter((d) => !excess.has(d));
  }

  function enqueue(payload: EventPayload): StoredDelivery[] {
    const body = (options.encodePayload ?? encodePayload)(payload);
    const created: StoredDelivery[] = [];
    for (const sub of store.data.subscriptions) {
      if (!sub.active || sub.domainkey !== payload.domainkey || sub.eventname !== payload.eventname) continue;
      const delivery: StoredDelivery = {
        id: `${now().toString(36)}-${randomBytes(4).toString('hex')}`,
        eventname: payload.eventname,
        domainkey: payload.domainkey,
        target: sub.target,
        body,
        // The scheme module is the one place that knows Bracken's header format.
        authorization: bracken.sign({ body: Buffer.from(body, 'utf8'), secret: sub.secret }).authorization ?? '',
        createdAt: iso(now()),
        status: 'pending',
        attempts: 0,
        attemptLog: [],
        nextAttemptAt: null,
        lastAttemptAt: null,
        lastStatus: null,
        lastError: null,
        deliveredAt: null,
        reason: null,
        endedAt: null,
      };
      store.data.deliveries.push(delivery);
      created.push(delivery);
    }
    return created;
  }

  function cancelPending(which: (delivery: StoredDelivery) => boolean, reason: string): Change<StoredDelivery[]> {
    const cancelled = store.data.deliveries.filter((d) => d.status === 'pending' && which(d));
    const before = cancelled.map((d) => ({ delivery: d, nextAttemptAt: d.nextAttemptAt }));
    for (const delivery of cancelled) end(delivery, 'cancelled', reason);
    return {
      result: cancelled,
      undo() {
        for (const { delivery, nextAttemptAt } of before) {
          Object.assign(delivery, { status: 'pending', reason: null, endedAt: null, nextAttemptAt });
          // Pruning may have dropped it as finished while the save ran: a pending delivery is never dropped.
          if (!store.data.deliveries.includes(delivery)) store.data.deliveries.push(delivery);
          onChange(delivery);
          schedule(delivery);
        }
      },
    };
  }

  return {
    enqueue,

    async publish(payload, also) {
      const [created = []] = await this.publishAll([payload], also);
      return created;
    },

    async publishAll(payloads, also) {
      const created = await store.transact(() => {
        const queued = payloads.map((payload) => enqueue(payload));
        const all = new Set(queued.flat());
        return {
          result: queued,
          undo() {
            store.data.deliveries = store.data.deliveries.filter((d) => !all.has(d));
            also?.undo();
          },
        };
      });
      for (const delivery of created.flat()) {
        onChange(delivery);
        schedule(delivery);
      }
      return created;
    },

    schedule,

    async resend(id) {
      const delivery = find(id);
      if (running.has(id)) throw new DeliveryActionError(409, 'in_flight', `Delivery ${id} has an attempt on its way; resend it once that one is answered.`);
      stopTimer(delivery); // a pending delivery's next attempt is this one
      await start(delivery, 'resend');
      return delivery;
    },

    async cancel(id) {
      const delivery = find(id);
      if (delivery.status !== 'pending') {
        throw new DeliveryActionError(409, 'not_pending', `Delivery ${id} is ${delivery.status}: only a pending delivery can be cancelled.`);
      }
      await store.transact(() => cancelPending((d) => d === delivery, 'cancelled by hand'));
      log(`${delivery.eventname} -> ${delivery.target}: cancelled by hand after ${delivery.attempts} attempts`);
      onChange(delivery);
      idle.notify();
      return delivery;
    },

    cancelPending(which, reason) {
      const change = cancelPending(which, reason);
      for (const delivery of change.result) onChange(delivery);
      idle.notify();
      return change;
    },

    inFlight: (id) => running.has(id),

    whenIdle: (timeoutMs) => idle.wait(timeoutMs),

    async close() {
      stopping.abort(new Error('the sandbox is stopping'));
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      waiting.clear();
      await Promise.allSettled(running.values());
      await agent.destroy();
      await store.save();
      idle.failAll(new Error(`The sandbox closed with ${pendingCount()} deliveries pending.`));
    },
  };
}
