/**
 * `delivery.signal`: JavaScript cannot stop a handler past HANDLER_TIMEOUT_MS, so each run gets a
 * signal that aborts when the worker stops waiting for it: at the time limit (a TimeoutError), or
 * when a close (Ctrl-C in step 3) gives up on it. A handler that passes it on stops there, instead
 * of piling up behind the runs that follow; the forward (LISTEN_FORWARD_TO) passes it to its request.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { deliveryFor, runHandler } from '../../steps/lib/delivery/index.ts';
import { forwardingHandler } from '../../steps/lib/forward/index.ts';
import { createWorker } from '../../steps/lib/listener/worker.ts';
import { bracken } from '../../steps/lib/signature/bracken.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { validDeliveryView } from '../helpers/delivery-record.ts';
import { until } from '../helpers/until.ts';

/** Resolves with the signal's reason once it aborts. */
function aborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }));
}

describe('runHandler(handler, delivery, { timeoutMs }): delivery.signal', () => {
  it('is live while the run is in time, and aborts with a TimeoutError naming HANDLER_TIMEOUT_MS when the run is failed', async () => {
    let seen: AbortSignal | undefined;
    let stoppedWith: unknown;
    const outcome = await runHandler(
      async (delivery) => {
        seen = delivery.signal;
        expect(delivery.signal.aborted).toBe(false);
        stoppedWith = await aborted(delivery.signal);
      },
      deliveryFor(validDeliveryView('slow'), false),
      { timeoutMs: 200 },
    );
    expect(outcome).toEqual({ ok: false, error: 'the handler did not finish within 200 ms (HANDLER_TIMEOUT_MS)' });
    // The handler heard it: the promise it awaited settled with the reason.
    await until(() => stoppedWith !== undefined, 5000);
    expect(seen?.aborted).toBe(true);
    expect(stoppedWith).toMatchObject({ name: 'TimeoutError', message: 'the handler did not finish within 200 ms (HANDLER_TIMEOUT_MS)' });
  });

  it('a run that finishes in time never sees its signal abort, even after the time limit would have passed', async () => {
    let seen: AbortSignal | undefined;
    const outcome = await runHandler(
      (delivery) => {
        seen = delivery.signal;
      },
      deliveryFor(validDeliveryView('quick'), false),
      { timeoutMs: 50 },
    );
    expect(outcome).toEqual({ ok: true });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen?.aborted).toBe(false);
  });
});

describe('createWorker().close() with a handler that will not finish', () => {
  it('aborts its signal when the wait ends, says so, and records no outcome for it (it runs again on the next start)', async () => {
    const logs: string[] = [];
    const recorded: string[] = [];
    let stoppedWith: unknown;
    let started = false;
    const worker = createWorker({
      handler: async (delivery) => {
        started = true;
        stoppedWith = await aborted(delivery.signal);
        throw delivery.signal.reason;
      },
      journal: { appendOutcomes: async (runs) => void recorded.push(...runs.map((run) => `${run.id} ${run.handler}`)) },
      onChange: () => {},
      log: (line) => logs.push(line),
    });
    worker.enqueue(validDeliveryView('hangs'));
    await until(() => started, 5000);
    await worker.close({ timeoutMs: 200 });
    await until(() => stoppedWith !== undefined, 5000);
    expect(stoppedWith).toMatchObject({ name: 'AbortError' });
    // Its outcome came after the close had finished: not recorded (the store may be closed by then).
    await new Promise((resolve) => setImmediate(resolve));
    expect(recorded).toEqual([]);
    expect(logs).toEqual(['worker: 1 handler(s) still running after 200 ms; they are told to stop (delivery.signal), and run again on the next start.']);
  });
});

describe('forwardingHandler (LISTEN_FORWARD_TO) and delivery.signal', () => {
  it('an app that never answers: the forward stops when the run is given up on, and the app sees its connection closed', async () => {
    let closed = false;
    let got = false;
    const app = createServer((req) => {
      got = true;
      req.resume();
      req.socket.on('close', () => (closed = true));
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    onCleanup(
      () =>
        new Promise<void>((resolve) => {
          app.closeAllConnections();
          app.close(() => resolve());
        }),
    );
    const url = `http://127.0.0.1:${(app.address() as AddressInfo).port}/webhooks`;
    // The app's own share of HANDLER_TIMEOUT_MS is 54 s: only the run's signal can end this try sooner.
    const handler = forwardingHandler({ url, scheme: bracken, handlerTimeoutMs: 60_000, log: () => {} });
    const worker = new AbortController();
    const running = runHandler(handler, deliveryFor(validDeliveryView('fwd'), false), { signal: worker.signal });
    await until(() => got, 5000);
    worker.abort(new DOMException('the worker stopped waiting for the handler', 'AbortError'));
    const outcome = await running;
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error).toMatch(
      new RegExp(`^forward to ${url}: no answer \\(stopped before your app answered: the worker stopped waiting for the handler\\) after \\d+ ms$`),
    );
    expect(outcome.report?.forward).toMatchObject({ url, error: 'stopped before your app answered: the worker stopped waiting for the handler' });
    await until(() => closed, 5000);
  }, 15_000);
});
