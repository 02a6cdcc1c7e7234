/**
 * "Tell me when there is nothing left to do": promises that resolve once a condition holds,
 * checked whenever the owner calls `notify()`. The delivery engine uses it for `whenIdle()`.
 *
 * @example
 * const idle = createIdleSignal(() => queue.length === 0, () => `${queue.length} queued`);
 * await idle.wait(5_000); // rejects after 5 s, naming what is still busy
 */

export interface IdleSignal {
  /** Resolves when `isIdle()` holds (at once if it does now); rejects after `timeoutMs` if given. */
  wait(timeoutMs?: number): Promise<void>;
  /** Re-checks the condition and wakes the waiters when it holds. */
  notify(): void;
  /** Rejects every waiter with `error` (the owner is shutting down). */
  failAll(error: Error): void;
}

/** An idle signal over `isIdle`; `busy()` describes what is still going on, for timeout messages. */
export function createIdleSignal(isIdle: () => boolean, busy: () => string): IdleSignal {
  let waiters: { wake: () => void; fail: (error: Error) => void }[] = [];
  return {
    wait(timeoutMs) {
      if (isIdle()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const waiter = {
          wake: () => {
            clearTimeout(timer);
            resolve();
          },
          fail: (error: Error) => {
            clearTimeout(timer);
            waiters = waiters.filter((w) => w !== waiter);
            reject(error);
          },
        };
        const timer = timeoutMs === undefined ? undefined : setTimeout(() => waiter.fail(new Error(`Still busy after ${timeoutMs} ms: ${busy()}.`)), timeoutMs);
        waiters.push(waiter);
      });
    },
    notify() {
      if (!isIdle()) return;
      const woken = waiters;
      waiters = [];
      for (const waiter of woken) waiter.wake();
    },
    failAll(error) {
      for (const waiter of [...waiters]) waiter.fail(error);
    },
  };
}
