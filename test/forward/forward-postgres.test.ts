/**
 * LISTEN_FORWARD_TO with Postgres (issue 12 item 3): the listener only stores and queues, and
 * `npm run worker -- --forward-to URL`, a process of its own, forwards. The tutorial's receiver
 * is the app: down at first (the worker's tries are refused and kept with their error), then up
 * (delivered once, verified by the app itself); the operator's inspector over the same database
 * shows the listener's answer and the app's; a replay from it is forwarded again by the worker.
 */
import { describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/walkthrough/free-port.ts';
import type { DeliveryDetail } from '../../steps/lib/inspector/view.ts';
import { startInspector } from '../../steps/lib/inspector/inspector.ts';
import { openDatabase } from '../../steps/lib/store/open.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { SECRET, send, signed, userCreate } from '../helpers/listener.ts';
import { pgConfig, startPgListener, testDatabase } from '../helpers/postgres.ts';
import { startScript } from '../helpers/process.ts';
import { startTutorialReceiver } from '../helpers/tutorial-receiver.ts';
import { sendJson } from '../inspector/http.ts';

/** Polls `check` every 100 ms until it returns true; fails after `timeoutMs`. */
async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('forwarding from `npm run worker -- --forward-to URL` (Postgres)', () => {
  it('an app that is down, then up, gets the delivery once from the worker; the inspector shows both answers; a replay is forwarded again', async () => {
    const url = await testDatabase('forward');
    // pg-boss counts its retry delay in whole seconds: 1 s, then 2 s, 4 s...
    const env = { HANDLER_RETRY_LIMIT: '4', HANDLER_RETRY_DELAY_MS: '1000', HANDLER_TIMEOUT_MS: '5000' };
    const { listener } = await startPgListener(url, env);
    const appPort = await freePort();
    const appUrl = `http://127.0.0.1:${appPort}/webhooks`;
    const worker = startScript('scripts/worker.ts', { args: ['--forward-to', appUrl], env: { DATABASE_URL: url, ...env } });
    await worker.waitFor(/^Worker ready/m, 30_000);
    expect(worker.lines()).toContainEqual(expect.stringMatching(new RegExp(`^Forwarding each verified delivery to ${appUrl} after the answer`)));

    const reader = await openDatabase(pgConfig(url, env), { role: 'reader' });
    onCleanup(() => reader.close());
    const inspector = await startInspector({ port: 0, store: reader, replayUrl: listener.url, forwardTo: appUrl });
    onCleanup(() => inspector.close());
    const detailOf = async (id: string) => (await sendJson(`${inspector.url}/api/deliveries/${id}`)).body as DeliveryDetail;

    const delivery = signed(userCreate(11));
    const answer = await send(listener.url, { body: delivery.body, headers: delivery.headers });
    expect(answer.status).toBe(200);
    const { id } = answer.json as { id: string };

    // Down: the worker's first try is refused, kept with its error, and retried.
    await eventually(async () => ((await detailOf(id)).forwards?.attempts ?? 0) >= 1, 20_000);
    const refused = (await detailOf(id)).forwards?.recent[0];
    expect(refused?.error).toMatch(/ECONNREFUSED/);
    expect(refused?.response).toBeUndefined();

    // Up: the next retry reaches it, once.
    const receiver = await startTutorialReceiver({ secret: SECRET, port: appPort });
    await eventually(async () => (await detailOf(id)).handler === 'done', 30_000);
    expect(await receiver.answered(1)).toEqual(['POST /webhooks 200']);
    const detail = await detailOf(id);
    expect(detail.response).toMatchObject({ status: 200, body: answer.text });
    const tries = detail.forwards?.recent ?? [];
    expect(detail.forwards?.attempts).toBe(tries.length);
    expect(tries.at(-1)).toMatchObject({ url: appUrl, response: { status: 200, body: 'OK the signatures match' } });
    expect(worker.lines()).toContainEqual(
      expect.stringMatching(new RegExp(`^forwarded User_Create ${id} to ${appUrl}: 200 in \\d+ ms "OK the signatures match"$`)),
    );

    // A replay from the operator's inspector: a duplicate for the listener, forwarded again by the worker.
    const replay = await sendJson(`${inspector.url}/api/deliveries/${id}/replay`, { method: 'POST', headers: { 'x-workbench-inspector': 'replay' } });
    expect(replay.status).toBe(200);
    const result = replay.body as { delivery: { id: string }; forward: unknown };
    expect(result.forward).toEqual({ to: appUrl, queued: true });
    await eventually(async () => (await detailOf(result.delivery.id)).handler === 'done', 20_000);
    expect(await receiver.answered(2)).toEqual(['POST /webhooks 200', 'POST /webhooks 200']);
  }, 90_000);
});
