/**
 * `npm start`'s function, over loopback with no mocks: a real sandbox, listener and steps.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWalkthrough } from '../../scripts/walkthrough.ts';
import { captureLog, quietStream } from '../helpers/output.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { sandboxEnv } from './helpers.ts';

interface Store {
  users: unknown[];
  subscriptions: { active: boolean }[];
  deliveries: { eventname: string; status: string; target: string }[];
}

async function storeOf(runDir: string): Promise<Store> {
  const dir = join(runDir, 'sandbox');
  const [file] = (await readdir(dir)).filter((name) => name.startsWith('store-') && name.endsWith('.json'));
  return JSON.parse(await readFile(join(dir, file!), 'utf8')) as Store;
}

describe('runWalkthrough() against the sandbox', () => {
  it('runs steps 1 to 6 under the tutorial headings and succeeds once User_Create arrived and verified', async () => {
    const stateDir = await tempDir('e2e');
    const out = captureLog();
    const result = await runWalkthrough({ env: sandboxEnv(stateDir), runDir: join(stateDir, 'run'), log: out.log, progress: quietStream });

    expect(result.ok, out.text()).toBe(true);
    expect(result.steps.map((s) => s.name)).toEqual(['token', 'subscribe', 'listen', 'create-user', 'wait', 'verify', 'cleanup']);
    const text = out.text();
    for (const heading of [
      'Get an access token',
      'Create a Webhook',
      'Create an Express app',
      'Trigger Webhook',
      'Confirm the Webhook was triggered',
      'Authenticate the Webhook',
      'Clean up',
    ]) {
      expect(text).toContain(`## ${heading}`);
    }
    expect(text).toMatch(/✔ POST \/webhooks 200 User_Create/);
    expect(text).toContain('Done in');

    // Cleanup really happened in the sandbox: no test user left, the subscription switched off.
    const store = await storeOf(result.runDir);
    expect(store.users).toEqual([]);
    expect(store.subscriptions.every((s) => !s.active)).toBe(true);
  });

  it('with real credentials but no public URL, stops before any request and says how to get one', async () => {
    const stateDir = await tempDir('e2e');
    const out = captureLog();
    const env = { ...sandboxEnv(stateDir), BRACKEN_CLIENT_ID: 'acme', BRACKEN_CLIENT_SECRET: 'not-used', BRACKEN_DOMAINKEY: '12345' };
    const result = await runWalkthrough({ env, runDir: join(stateDir, 'run'), log: out.log, progress: quietStream, yes: true });
    expect(result.ok).toBe(false);
    expect(out.text()).toContain('Against the real Bracken the walkthrough needs a public URL for the listener. [WORKBENCH_CONFIG_INVALID]');
    expect(out.text()).toContain('Next: Set NGROK_AUTHTOKEN');
    expect(result.steps).toEqual([]);
  });

  it('two walkthroughs side by side (two sandboxes, two listeners, free ports) do not collide', async () => {
    const [a, b] = [await tempDir('e2e'), await tempDir('e2e')];
    const [outA, outB] = [captureLog(), captureLog()];
    const [resultA, resultB] = await Promise.all([
      runWalkthrough({ env: sandboxEnv(a), runDir: join(a, 'run'), log: outA.log, progress: quietStream }),
      runWalkthrough({ env: sandboxEnv(b), runDir: join(b, 'run'), log: outB.log, progress: quietStream }),
    ]);
    expect(resultA.ok, outA.text()).toBe(true);
    expect(resultB.ok, outB.text()).toBe(true);
    // Each sandbox delivered exactly one User_Create, to its own listener.
    const [deliveriesA, deliveriesB] = [(await storeOf(resultA.runDir)).deliveries, (await storeOf(resultB.runDir)).deliveries];
    expect(deliveriesA.map((d) => [d.eventname, d.status])).toEqual([['User_Create', 'delivered']]);
    expect(deliveriesB.map((d) => [d.eventname, d.status])).toEqual([['User_Create', 'delivered']]);
    expect(deliveriesA[0]!.target).not.toBe(deliveriesB[0]!.target);
  });
});
