/**
 * openTunnel through its `load` seam (there is no internet here): no token means no tunnel and no
 * native addon; ngrok failures become TUNNEL_FAILED, a forward() that never answers TUNNEL_TIMEOUT;
 * and step 3 exits even when the hung native call would keep the process alive.
 */
import { describe, expect, it, vi } from 'vitest';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TUNNEL_FAILED, TUNNEL_TIMEOUT, TunnelError } from '../../steps/lib/core/errors.ts';
import { openTunnel, type NgrokModule } from '../../steps/lib/tunnel.ts';
import { runCommand, startScript } from '../helpers/process.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from '../helpers/until.ts';

const TOKEN = '2abcDEFghiJKLmnoPQRstuVWXyz_1234567890abcdefghij';

function fakeNgrok(forward: NgrokModule['forward']): { load: () => Promise<NgrokModule>; forward: ReturnType<typeof vi.fn> } {
  const spy = vi.fn(forward);
  return { load: async () => ({ forward: spy }), forward: spy };
}

describe('openTunnel', () => {
  it('with no authtoken returns null without loading ngrok', async () => {
    const load = vi.fn();
    expect(await openTunnel({ port: 5000, authtoken: undefined, timeoutMs: 1000, load })).toBeNull();
    expect(await openTunnel({ port: 5000, authtoken: '', timeoutMs: 1000, load })).toBeNull();
    expect(load).not.toHaveBeenCalled();
  });

  it.skipIf(process.platform !== 'linux')('with no authtoken the real module path never loads the native addon', async () => {
    const script = `
      const { openTunnel } = await import('./steps/lib/tunnel.ts');
      const { readFileSync } = await import('node:fs');
      const tunnel = await openTunnel({ port: 5000, authtoken: undefined, timeoutMs: 1000 });
      const loaded = readFileSync('/proc/self/maps', 'utf8').includes('ngrok');
      process.stdout.write(JSON.stringify({ tunnel, loaded }));`;
    const result = await runCommand([process.execPath, '--import', 'tsx', '--input-type=module', '-e', script]);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ tunnel: null, loaded: false });
  });

  it('forwards only the given port on 127.0.0.1, with the token and domain, and returns the URL', async () => {
    const close = vi.fn(async () => {});
    const ngrok = fakeNgrok(async () => ({ url: () => 'https://abc.ngrok.app/', close }));
    const tunnel = await openTunnel({ port: 5123, host: '0.0.0.0', authtoken: TOKEN, domain: 'abc.ngrok.app', timeoutMs: 1000, load: ngrok.load });
    expect(ngrok.forward).toHaveBeenCalledExactlyOnceWith({ addr: '127.0.0.1:5123', authtoken: TOKEN, domain: 'abc.ngrok.app' });
    expect(tunnel?.url).toBe('https://abc.ngrok.app');
    await tunnel?.close();
    expect(close).toHaveBeenCalledOnce();
  });

  it('says when the open tunnel loses its connection to ngrok and when ngrok reconnects it', async () => {
    let report: ((status: string) => void) | undefined;
    const ngrok = fakeNgrok(async (config) => {
      report = config.onStatusChange;
      return { url: () => 'https://abc.ngrok.app/', close: async () => {} };
    });
    const logs: string[] = [];
    await openTunnel({ port: 5000, authtoken: TOKEN, timeoutMs: 1000, load: ngrok.load, log: (line) => logs.push(line) });
    report?.('closed');
    report?.('connected');
    expect(logs).toEqual([
      'ngrok: the tunnel lost its connection to ngrok; deliveries to https://abc.ngrok.app fail until ngrok reconnects it.',
      'ngrok: the tunnel is connected again; https://abc.ngrok.app reaches this listener.',
    ]);
  });

  it('says nothing of a lost or regained connection while the tunnel is still opening (it never had one)', async () => {
    const failing = fakeNgrok(async (config) => {
      config.onStatusChange?.('closed');
      throw new Error('failed to connect session: failed to establish tcp connection');
    });
    const opening = fakeNgrok(async (config) => {
      config.onStatusChange?.('connected');
      return { url: () => 'https://abc.ngrok.app/', close: async () => {} };
    });
    const logs: string[] = [];
    const log = (line: string) => logs.push(line);
    const error = await openTunnel({ port: 5000, authtoken: TOKEN, timeoutMs: 1000, load: failing.load, log }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: TUNNEL_FAILED });
    const tunnel = await openTunnel({ port: 5000, authtoken: TOKEN, timeoutMs: 1000, load: opening.load, log });
    expect(tunnel?.url).toBe('https://abc.ngrok.app');
    expect(logs).toEqual([]);
  });

  it("a forward() that rejects → TUNNEL_FAILED with ngrok's message (token redacted) and what to check", async () => {
    const ngrok = fakeNgrok(async () => {
      throw new Error(`failed to connect session: authentication failed for ${TOKEN}`);
    });
    const error = await openTunnel({ port: 5000, authtoken: TOKEN, timeoutMs: 5000, load: ngrok.load }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TunnelError);
    expect(error).toMatchObject({
      code: TUNNEL_FAILED,
      message: 'ngrok could not open the tunnel: failed to connect session: authentication failed for 2abc…(48 chars).',
    });
    expect((error as TunnelError).message).not.toContain(TOKEN);
    expect((error as TunnelError).hint).toContain('NGROK_AUTHTOKEN');
  });

  it('a module that cannot load (no native addon for this platform) → TUNNEL_FAILED', async () => {
    const error = await openTunnel({
      port: 5000,
      authtoken: TOKEN,
      timeoutMs: 5000,
      load: () => Promise.reject(new Error('Cannot find module ngrok.linux-x64-gnu.node')),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: TUNNEL_FAILED, message: 'ngrok could not open the tunnel: Cannot find module ngrok.linux-x64-gnu.node.' });
  });

  it('a forward() that answers only after TUNNEL_TIMEOUT: the late tunnel is closed, not left forwarding the port', async () => {
    const close = vi.fn(async () => {});
    let answer: (listener: { url(): string; close(): Promise<void> }) => void = () => {};
    const ngrok = fakeNgrok(() => new Promise((resolve) => (answer = resolve)));
    const error = await openTunnel({ port: 5000, authtoken: TOKEN, timeoutMs: 20, load: ngrok.load }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: TUNNEL_TIMEOUT });
    answer({ url: () => 'https://late.ngrok.app', close });
    await until(() => close.mock.calls.length === 1);
    expect(close).toHaveBeenCalledOnce();
  });

  it('a tunnel opened without a URL → TUNNEL_FAILED, and that tunnel is closed, not left forwarding the port', async () => {
    const close = vi.fn(async () => {});
    const ngrok = fakeNgrok(async () => ({ url: () => null, close }));
    const error = await openTunnel({ port: 5000, authtoken: TOKEN, timeoutMs: 1000, load: ngrok.load }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: TUNNEL_FAILED, message: 'ngrok could not open the tunnel: ngrok opened the tunnel but gave no URL.' });
    expect(close).toHaveBeenCalledOnce();
  });

  it('a forward() that never answers → TUNNEL_TIMEOUT naming NGROK_TIMEOUT_MS', async () => {
    const ngrok = fakeNgrok(() => new Promise(() => {}));
    const error = await openTunnel({ port: 5000, authtoken: TOKEN, timeoutMs: 50, load: ngrok.load }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TunnelError);
    expect(error).toMatchObject({ code: TUNNEL_TIMEOUT, message: 'ngrok did not open the tunnel within 50 ms (NGROK_TIMEOUT_MS).' });
  });
});

describe('step 3 with a hung ngrok', () => {
  it('prints TUNNEL_TIMEOUT and exits non-zero although a pending native handle would keep it alive', async () => {
    const stateDir = await tempDir('tunnel');
    const step3 = startScript('test/fixtures/tunnel-hang-step3.ts', {
      env: {
        NGROK_AUTHTOKEN: TOKEN,
        NGROK_TIMEOUT_MS: '300',
        WORKBENCH_STATE_DIR: stateDir,
        LISTEN_PORT: '0',
        INSPECT_PORT: '0',
        WEBHOOK_SECRET: 'a-secret',
      },
    });
    // A process that hangs never exits: SIGKILL says so. Bounded well past a slow start under load
    // (step 3 starting under tsx took over 8 s at a load of 30), so only a hang reaches it.
    const killer = setTimeout(() => step3.child.kill('SIGKILL'), 40_000);
    const result = await step3.exited();
    clearTimeout(killer);
    const stderr = step3.stderr();
    expect(result).toEqual({ code: 1, signal: null });
    expect(stderr).toContain('ngrok did not open the tunnel within 300 ms (NGROK_TIMEOUT_MS). [WORKBENCH_TUNNEL_TIMEOUT]');
    expect(stderr).not.toContain(TOKEN);
    // The listener, inspector and journal were closed on the way out; no listener.json left behind.
    expect(await readdir(stateDir)).toEqual(['journal']);
    expect(await readdir(join(stateDir, 'journal'))).not.toContain('journal.lock');
  }, 60_000);
});
