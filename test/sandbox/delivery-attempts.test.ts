/**
 * What counts as delivered, and how many attempts a delivery keeps: only a 2xx ends the retries
 * (a 302 is not the receiver taking the event), and the delivery's log keeps its newest
 * ATTEMPTS_KEPT attempts, however many were made.
 */
import { describe, expect, it } from 'vitest';
import { ATTEMPTS_KEPT } from '../../scripts/sandbox/deliveries.ts';
import { accessToken, createUser, startReceiver, subscribe, testSandbox } from './helpers.ts';

describe('a delivery answered with redirects', () => {
  it('is retried past each 302 until a 200, and keeps the newest ATTEMPTS_KEPT attempts of the 12', async () => {
    expect(ATTEMPTS_KEPT).toBe(10);
    const receiver = await startReceiver({ statuses: Array.from({ length: 11 }, () => 302) });
    const sandbox = await testSandbox({ retryScheduleMs: [10] });
    const token = await accessToken(sandbox);
    await subscribe(sandbox, token, receiver.url, 'redirect-test-secret-0123456789');
    await createUser(sandbox, token, 'Redirected-User');
    await receiver.waitFor(12);
    await sandbox.whenIdle(10_000);

    const [delivery] = sandbox.deliveries();
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 12, lastStatus: 200 });
    expect(delivery?.attemptLog.map((attempt) => [attempt.number, attempt.response?.status])).toEqual([
      ...Array.from({ length: 9 }, (_, i) => [i + 3, 302]),
      [12, 200],
    ]);
  });
});
