/**
 * The two ways to turn forwarding on, as a user types them: `npm run step:3 -- --forward-to URL`
 * and LISTEN_FORWARD_TO, and what a wrong value gets (an error naming the option or the variable,
 * before anything listens). Each refusal's exit code is proven through the scripts; two more wrong
 * values call what step 3 calls (loadConfig, listen) in this process, sparing two process starts.
 */
import { describe, expect, it } from 'vitest';
import { listen } from '../../steps/03-listen-for-webhooks.ts';
import { loadConfig } from '../../steps/lib/core/config.ts';
import { CONFIG_INVALID } from '../../steps/lib/core/errors.ts';
import type { NgrokModule } from '../../steps/lib/tunnel.ts';
import { SECRET, send, signed, userCreate } from '../helpers/listener.ts';
import { runScript, startScript } from '../helpers/process.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { startTutorialReceiver } from '../helpers/tutorial-receiver.ts';

const STEP3 = 'steps/03-listen-for-webhooks.ts';

async function step3Env(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return { WORKBENCH_STATE_DIR: await tempDir('forward-cli'), LISTEN_PORT: '0', INSPECT_PORT: '0', WEBHOOK_SECRET: SECRET, ...extra };
}

describe('npm run step:3 -- --forward-to URL', () => {
  it('says where it forwards in the ready line, and the tutorial receiver gets each verified delivery; the log line has its answer', async () => {
    const receiver = await startTutorialReceiver({ secret: SECRET });
    const step3 = startScript(STEP3, { args: ['--forward-to', receiver.url], env: await step3Env() });
    const [ready = '', listenerUrl = ''] = await step3.waitFor(/^Listening for webhooks at (\S+) · inspector \S+ · forwarding to (\S+)$/m, 30_000);
    expect(ready.endsWith(`· forwarding to ${receiver.url}`)).toBe(true);
    expect(step3.stdout()).toContain(
      `Forwarding each verified delivery to ${receiver.url} after the answer, with its exact bytes and the headers content-type, user-agent, authorization;`,
    );

    const answer = await send(listenerUrl, signed(userCreate(21)));
    expect(answer.status).toBe(200);
    const { id } = answer.json as { id: string };
    await step3.waitFor(new RegExp(`^forwarded User_Create ${id} to ${receiver.url}: 200 in \\d+ ms "OK the signatures match"$`, 'm'), 15_000);
    expect(await receiver.answered(1)).toEqual(['POST /webhooks 200']);
  });

  it('LISTEN_FORWARD_TO does the same', async () => {
    const receiver = await startTutorialReceiver({ secret: SECRET });
    const step3 = startScript(STEP3, { env: await step3Env({ LISTEN_FORWARD_TO: receiver.url }) });
    const [, listenerUrl = ''] = await step3.waitFor(/^Listening for webhooks at (\S+) · inspector \S+ · forwarding to (\S+)$/m, 30_000);
    const answer = await send(listenerUrl, signed(userCreate(22)));
    const { id } = answer.json as { id: string };
    await step3.waitFor(new RegExp(`^forwarded User_Create ${id} to ${receiver.url}: 200 in \\d+ ms "OK the signatures match"$`, 'm'), 15_000);
  });
});

describe('a forward target with a credential in it', () => {
  it('LISTEN_FORWARD_TO=…?token=…: forwarded to the whole URL, printed with the token shortened', async () => {
    const receiver = await startTutorialReceiver({ secret: SECRET });
    const token = 'Zq81vLmP4xRt7YwK2nBc9dHf6jGs3aE0';
    const step3 = startScript(STEP3, { env: await step3Env({ LISTEN_FORWARD_TO: `${receiver.url}?token=${token}` }) });
    const shown = `${receiver.url}?token=Zq81…(32 chars)`;
    const [, listenerUrl = '', forwardingTo] = await step3.waitFor(/^Listening for webhooks at (\S+) · inspector \S+ · forwarding to (.+)$/m, 30_000);
    expect(forwardingTo).toBe(shown);
    expect(step3.stdout()).toContain(`Forwarding each verified delivery to ${shown} after the answer`);

    const answer = await send(listenerUrl, signed(userCreate(23)));
    const { id } = answer.json as { id: string };
    await step3.waitFor(new RegExp(`^forwarded User_Create ${id} to ${literally(shown)}: 200 in \\d+ ms "OK the signatures match"$`, 'm'), 15_000);
    expect(await receiver.answered(1)).toEqual([`POST /webhooks?token=${token} 200`]);
    expect(await step3.stop()).toBe(0);
    expect(`${step3.stdout()}${step3.stderr()}`).not.toContain(token);
  });
});

/** `text` as a regular expression that matches it literally. */
function literally(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('a wrong forward target', () => {
  it('LISTEN_FORWARD_TO that is not a URL, or not http(s), stops step 3 and the worker with exit code 1, naming the variable', async () => {
    // In this process: the config step 3 and the worker read (loadConfig) refuses the value step 3 would.
    expect(() => loadConfig({ env: { LISTEN_FORWARD_TO: 'ftp://127.0.0.1/webhooks' } })).toThrow(
      expect.objectContaining({
        code: CONFIG_INVALID,
        message: 'LISTEN_FORWARD_TO="ftp://127.0.0.1/webhooks" is not valid: expected an https URL (plain http is allowed only on 127.0.0.1 or localhost).',
        hint: 'Fix LISTEN_FORWARD_TO in .env or in the environment (see .env.example).',
      }),
    );
    for (const [file, value, expected] of [
      [STEP3, '127.0.0.1:8000 webhooks', 'an absolute http(s) URL'],
      ['scripts/worker.ts', 'not a url', 'an absolute http(s) URL'],
    ] as const) {
      const result = await runScript(file, { env: await step3Env({ LISTEN_FORWARD_TO: value }) });
      expect(result.code, `${file} ${value}`).toBe(1);
      expect(result.stderr).toContain(`Error: LISTEN_FORWARD_TO=${JSON.stringify(value)} is not valid: expected ${expected}. [WORKBENCH_CONFIG_INVALID]`);
      expect(result.stderr).toContain('Next: Fix LISTEN_FORWARD_TO in .env or in the environment (see .env.example).');
      expect(result.stdout).not.toMatch(/Listening for webhooks|Worker ready/);
    }
  }, 60_000);

  it('the tunnel’s own public URL is refused once the tunnel is open: the forward would come back to the listener, never to the app', async () => {
    const closed: string[] = [];
    const ngrok: NgrokModule = {
      forward: async () => ({ url: () => 'https://demo.ngrok.app', close: async () => void closed.push('tunnel') }),
    };
    const config = loadConfig({ env: await step3Env({ NGROK_AUTHTOKEN: 'tok_abcdefghijklmnop' }) });
    const lines: string[] = [];
    await expect(
      listen({ config, forwardTo: 'https://demo.ngrok.app/webhooks', loadNgrok: async () => ngrok, log: (line) => lines.push(line) }),
    ).rejects.toMatchObject({
      code: CONFIG_INVALID,
      message:
        '--forward-to="https://demo.ngrok.app/webhooks" is this listener’s own public URL (the ngrok tunnel https://demo.ngrok.app): ' +
        'every delivery forwarded there would come back to the listener as a duplicate, and never reach your app.',
      hint: 'Point --forward-to at your own app, as this machine reaches it (e.g. http://127.0.0.1:8000/webhooks).',
    });
    // Everything started is closed again; nothing said it was listening.
    expect(closed).toEqual(['tunnel']);
    expect(lines.join('\n')).not.toMatch(/Listening for webhooks/);
  });

  it('--forward-to with a bad URL names the option; an unknown option exits 2 with the usage', async () => {
    // In this process: what step 3 runs with --forward-to (listen's forwardTo) refuses it before anything listens.
    const lines: string[] = [];
    const config = loadConfig({ env: await step3Env() });
    await expect(listen({ config, forwardTo: 'http://192.0.2.10:8000/webhooks', log: (line) => lines.push(line) })).rejects.toMatchObject({
      code: CONFIG_INVALID,
      message: expect.stringContaining('--forward-to="http://192.0.2.10:8000/webhooks" is not valid: expected an https URL'),
      hint: 'Fix --forward-to on the command line.',
    });
    expect(lines.join('\n')).not.toMatch(/Listening for webhooks/);

    const unknown = await runScript(STEP3, { args: ['--forward', 'http://127.0.0.1:8000/webhooks'], env: await step3Env() });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Error: Unknown option '--forward'");
    expect(unknown.stderr).toContain('Next: npm run step:3 takes one option: npm run step:3 -- --forward-to http://127.0.0.1:8000/webhooks');
  });
});
