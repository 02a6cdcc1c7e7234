/**
 * The walkthrough's "Confirm the Webhook was triggered": it waits on the listener's feed for the
 * event's verified delivery, and on a timeout says whether nothing came or what came was refused.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { STEP_VERIFY_FAILED } from '../../steps/lib/core/errors.ts';
import { createDeliveryFeed } from '../../steps/lib/delivery/feed.ts';
import { waitForDelivery } from '../../scripts/walkthrough/wait-for-delivery.ts';
import { validDeliveryView as view } from '../helpers/delivery-record.ts';

const REFUSED = view('refused', {
  status: 401,
  verdict: 'invalid',
  code: 'signature_mismatch',
  reason: 'The signature does not match.',
  event: undefined,
  secretIndex: undefined,
});

function options(feed = createDeliveryFeed(), timeoutMs = 50) {
  const lines: string[] = [];
  const progress = new PassThrough();
  let written = '';
  progress.on('data', (chunk: Buffer) => (written += chunk.toString('utf8')));
  return {
    lines,
    progress: () => written,
    wait: {
      feed,
      event: 'user_create',
      timeoutMs,
      log: (line: string) => lines.push(line),
      progress,
      inspectorUrl: 'http://127.0.0.1:4040',
      sender: () => "The sandbox's last attempt failed: ECONNREFUSED.",
    },
  };
}

describe('waitForDelivery (walkthrough)', () => {
  it('a delivery already in the feed: resolves at once and prints the ✔ line', async () => {
    const feed = createDeliveryFeed({ initial: [view('first')] });
    const { lines, wait } = options(feed);
    expect((await waitForDelivery(wait)).id).toBe('first');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('POST /webhooks 200 User_Create: Signature verified with the current secret. (answered in 1.0 ms)');
  });

  it('a delivery that comes later: matched by event name case-insensitively, progress ends its line', async () => {
    const { lines, progress, wait } = options(undefined, 5000);
    setTimeout(() => wait.feed.upsert(view('later')), 20);
    expect((await waitForDelivery(wait)).id).toBe('later');
    expect(lines[0]).toContain('POST /webhooks 200 User_Create');
    expect(progress().endsWith('\n')).toBe(true);
  });

  it("nothing arrives: STEP_VERIFY_FAILED saying so, with the sender's side and where to look", async () => {
    const { lines, wait } = options();
    await expect(waitForDelivery(wait)).rejects.toMatchObject({
      name: 'StepError',
      code: STEP_VERIFY_FAILED,
      message: 'No user_create delivery reached the listener within 0.05 s.',
      hint: "The sandbox's last attempt failed: ECONNREFUSED. The listener's inspector at http://127.0.0.1:4040 shows what arrived.",
    });
    expect(lines).toEqual([]);
  });

  it('only a refused delivery arrives: the error names its status, code and reason', async () => {
    const { wait } = options();
    setTimeout(() => wait.feed.upsert(REFUSED), 5);
    await expect(waitForDelivery(wait)).rejects.toMatchObject({
      code: STEP_VERIFY_FAILED,
      message: 'A delivery arrived but was refused: 401 signature_mismatch: The signature does not match.',
    });
  });
});
