/**
 * Step 3 (`npm run step:3`): listener + inspector + optional tunnel from the config, one ready
 * line, listener.json while running, secrets re-read per request, and a clean stop.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listen, type Listening } from '../../steps/03-listen-for-webhooks.ts';
import { loadConfig, type Env } from '../../steps/lib/core/config.ts';
import { CONFIG_INVALID, ConfigError, LISTEN_PORT_IN_USE } from '../../steps/lib/core/errors.ts';
import { SCHEMES } from '../../steps/lib/signature/registry.ts';
import { openState, type ListenerState, type WebhookState } from '../../steps/lib/core/state.ts';
import type { NgrokModule } from '../../steps/lib/tunnel.ts';
import { send, signed, userCreate } from '../helpers/listener.ts';
import { startScript } from '../helpers/process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const SECRET = 'step3-secret';
let stateDir = '';
let running: Listening | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function configWith(env: Env = {}) {
  stateDir = await tempDir('step3');
  return loadConfig({ env: { WORKBENCH_STATE_DIR: stateDir, LISTEN_PORT: '0', INSPECT_PORT: '0', ...env } });
}

describe('listen()', () => {
  it('prints one ready line, records listener.json, handles a delivery with the sample handler, and cleans up on close', async () => {
    const config = await configWith({ WEBHOOK_SECRET: SECRET });
    const logs: string[] = [];
    running = await listen({ config, log: (line) => logs.push(line) });
    const { listener, inspector } = running;
    const ready = `Listening for webhooks at ${listener.url} · inspector ${inspector.url}`;
    expect(running.readyLine).toBe(ready);
    expect(logs.filter((line) => line.startsWith('Listening for webhooks'))).toEqual([ready]);
    expect(listener.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhooks$/);

    const state = JSON.parse(await readFile(join(stateDir, 'listener.json'), 'utf8')) as ListenerState;
    expect(state).toMatchObject({ localUrl: listener.url, inspectorUrl: inspector.url, pid: process.pid });
    expect(state.publicUrl).toBeUndefined();

    const answer = await send(listener.url, signed(userCreate(1), SECRET));
    expect(answer.status).toBe(200);
    await listener.idle();
    const id = (answer.json as { id: string }).id;
    expect(logs).toContain(`handled User_Create ${id} by onUser: user 1001 "Test-User-1"`);

    await running.close();
    running = undefined;
    expect(await readdir(stateDir)).toEqual(['journal']);
    expect(await readdir(join(stateDir, 'journal'))).not.toContain('journal.lock');
  });

  it('logs the diagnosis of a signature mismatch: a body re-serialized after signing is named as such', async () => {
    const config = await configWith({ WEBHOOK_SECRET: SECRET });
    const logs: string[] = [];
    running = await listen({ config, log: (line) => logs.push(line) });
    // Signed over compact JSON, then pretty-printed on the way (a proxy, or a copy-paste).
    const { headers } = signed(userCreate(1), SECRET);
    const pretty = Buffer.from(JSON.stringify(userCreate(1), null, 2));
    const answer = await send(running.listener.url, { body: pretty, headers });
    expect([answer.status, (answer.json as { code: string }).code]).toEqual([401, 'signature_mismatch']);
    const line = logs.find((entry) => entry.includes('POST /webhooks 401'));
    expect(line).toContain('[body_reserialized]');
    // The sender gets the scheme's message only; the diagnosis is for the person at the terminal.
    expect(JSON.stringify(answer.json)).not.toContain('body_reserialized');
  });

  it('warns about a weak WEBHOOK_SECRET, naming why (issue 12), and not about a strong one', async () => {
    const logs: string[] = [];
    running = await listen({ config: await configWith({ WEBHOOK_SECRET: 'secr3t' }), log: (line) => logs.push(line) });
    expect(logs.filter((line) => line.startsWith('Warning:'))).toEqual([
      "Warning: the webhook secret from WEBHOOK_SECRET is weak: it is the example secret of Guuru's webhook examples, and it is shorter than 24 characters. " +
        'Anyone who can guess it can sign deliveries your receiver will trust. ' +
        'Leave WEBHOOK_SECRET empty and step 2 generates a strong one (32 random bytes), or set a long random one.',
    ]);
    await running.close();

    const quiet: string[] = [];
    running = await listen({ config: await configWith({ WEBHOOK_SECRET: 'a-long-random-secret-0123456789' }), log: (line) => quiet.push(line) });
    expect(quiet.filter((line) => line.startsWith('Warning:'))).toEqual([]);
  });

  it('an unknown LISTEN_SCHEME → ConfigError naming LISTEN_SCHEME and listing the schemes', async () => {
    const config = await configWith({ LISTEN_SCHEME: 'nope' });
    const error = await listen({ config, log: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: CONFIG_INVALID, message: 'LISTEN_SCHEME="nope" is not a signature scheme the listener knows.' });
    expect((error as ConfigError).hint).toBe(`Set LISTEN_SCHEME to one of: ${Object.keys(SCHEMES).join(', ')} (bracken is what Bracken sends).`);
  });

  it('with no secret it still listens, says to run step 2, refuses with no_secret, and picks up webhook.json without a restart', async () => {
    const config = await configWith();
    const logs: string[] = [];
    running = await listen({ config, log: (line) => logs.push(line) });
    expect(logs).toContain('No webhook secret yet: until step 2 records one (or WEBHOOK_SECRET is set), every delivery is refused with 401 no_secret.');
    expect(logs).toContain('Next: npm run step:2 (it records the secret; this listener picks it up without a restart).');
    const before = await send(running.listener.url, signed(userCreate(1), SECRET));
    expect([before.status, (before.json as { code: string }).code]).toEqual([401, 'no_secret']);

    // Step 2 runs in another terminal and records its secret.
    const webhook: WebhookState = {
      apiUrl: config.apiUrl,
      domainkey: config.domainkey,
      secret: SECRET,
      subscriptions: [{ event: 'user_create', target: running.listener.url, active: true, subscribedAt: new Date().toISOString() }],
    };
    await openState(stateDir).write('webhook', webhook);
    const after = await send(running.listener.url, signed(userCreate(2), SECRET));
    expect(after.status).toBe(200);
  });

  it('a port in use → LISTEN_PORT_IN_USE, and nothing is left running or recorded', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const config = await configWith({ LISTEN_PORT: String(port), WEBHOOK_SECRET: SECRET });
      const error = await listen({ config, log: () => {} }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: LISTEN_PORT_IN_USE });
      expect((error as Error).message).toContain(`LISTEN_PORT=${port}`);
      expect(await readdir(stateDir)).toEqual(['journal']);
      expect(await readdir(join(stateDir, 'journal'))).not.toContain('journal.lock');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('with NGROK_AUTHTOKEN opens the tunnel on the listener port, shows the public URL, and says when the subscription points elsewhere', async () => {
    const config = await configWith({ NGROK_AUTHTOKEN: 'tok_abcdefghijklmnop', WEBHOOK_SECRET: SECRET });
    const forwarded: unknown[] = [];
    const ngrok: NgrokModule = {
      forward: async (options) => {
        forwarded.push(options);
        return { url: () => 'https://demo.ngrok.app', close: async () => {} };
      },
    };
    const state = openState(stateDir);
    await state.write('webhook', {
      apiUrl: config.apiUrl,
      domainkey: config.domainkey,
      secret: SECRET,
      subscriptions: [{ event: 'user_create', target: 'https://old.ngrok.app/webhooks', active: true, subscribedAt: new Date().toISOString() }],
    });
    const logs: string[] = [];
    running = await listen({ config, log: (line) => logs.push(line), loadNgrok: async () => ngrok });
    expect(forwarded).toEqual([{ addr: `127.0.0.1:${running.listener.port}`, authtoken: 'tok_abcdefghijklmnop', onStatusChange: expect.any(Function) }]);
    expect(running.readyLine).toBe(
      `Listening for webhooks at ${running.listener.url} (public: https://demo.ngrok.app/webhooks) · inspector ${running.inspector.url}`,
    );
    expect(await state.read('listener')).toMatchObject({ publicUrl: 'https://demo.ngrok.app/webhooks' });
    expect(
      logs.some((line) =>
        line.includes(
          'user_create subscription in ' +
            state.path('webhook.json') +
            ' sends deliveries to https://old.ngrok.app/webhooks, not to this listener (https://demo.ngrok.app/webhooks). Run `npm run step:2` again',
        ),
      ),
    ).toBe(true);
    // ngrok loses its session mid-run: the terminal says the public URL is down, and not the token.
    (forwarded[0] as { onStatusChange: (status: string) => void }).onStatusChange('closed');
    expect(logs.at(-1)).toBe('ngrok: the tunnel lost its connection to ngrok; deliveries to https://demo.ngrok.app fail until ngrok reconnects it.');
    expect(logs.join('\n')).not.toContain('tok_abcdefghijklmnop');
  });
});

describe('npm run step:3', () => {
  it('runs until SIGTERM, then closes everything and exits 0, removing listener.json', async () => {
    stateDir = await tempDir('step3');
    const step3 = startScript('steps/03-listen-for-webhooks.ts', {
      env: { WORKBENCH_STATE_DIR: stateDir, LISTEN_PORT: '0', INSPECT_PORT: '0', WEBHOOK_SECRET: SECRET },
    });
    await step3.waitFor(/Ctrl-C stops it\./);
    const stdout = step3.stdout();
    expect(stdout).toMatch(/^Listening for webhooks at http:\/\/127\.0\.0\.1:\d+\/webhooks · inspector http:\/\/127\.0\.0\.1:\d+$/m);
    expect(await readdir(stateDir)).toContain('listener.json');
    step3.child.kill('SIGTERM');
    expect(await step3.exited()).toEqual({ code: 0, signal: null });
    expect(await readdir(stateDir)).toEqual(['journal']);
  });
});
