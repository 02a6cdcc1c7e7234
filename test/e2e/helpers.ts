/**
 * End-to-end fixtures: no mocks. A real sandbox on a free loopback port and a temp state folder,
 * both closed and removed after the test; the steps then run in-process, or as child processes
 * (test/helpers/process.ts) exactly as `npm run step:N` runs them.
 */
import { loadConfig, type Config } from '../../steps/lib/core/config.ts';
import { sandboxOptionsFromConfig, startSandbox, type RunningSandbox } from '../../scripts/sandbox/index.ts';
import { freePort } from '../../scripts/walkthrough/free-port.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * Variables for a sandbox run in `stateDir`: everything that could reach outside is blanked, so a
 * developer's own .env (real credentials, ngrok token) never leaks into a test. Blank values win
 * over .env because process.loadEnvFile never overrides a variable that is set, even to ''.
 */
export function sandboxEnv(stateDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    BRACKEN_CLIENT_ID: '',
    BRACKEN_CLIENT_SECRET: '',
    BRACKEN_DOMAINKEY: '',
    BRACKEN_IDENTITY_URL: '',
    BRACKEN_API_URL: '',
    WEBHOOK_TARGET: '',
    WEBHOOK_SECRET: '',
    WEBHOOK_PREVIOUS_SECRETS: '',
    NGROK_AUTHTOKEN: '',
    NGROK_DOMAIN: '',
    LISTEN_SCHEME: 'bracken',
    INSPECT_PORT: '0',
    SANDBOX_RETRY_SCHEDULE: '50,100,200',
    WORKBENCH_STATE_DIR: stateDir,
    ...extra,
  };
}

export interface SandboxRun {
  readonly sandbox: RunningSandbox;
  readonly stateDir: string;
  /** A config for in-process steps: this sandbox, a free listener port, this state folder. */
  readonly config: Config;
  readonly env: Record<string, string>;
}

/** A sandbox on a free port with its own state folder, and the matching config/env for the steps. */
export async function sandboxRun(extra: Record<string, string> = {}, port = 0, stateDirArg?: string): Promise<SandboxRun> {
  const stateDir = stateDirArg ?? (await tempDir('e2e'));
  const defaults = loadConfig({ env: sandboxEnv(stateDir, extra) });
  const sandbox = await startSandbox({ ...sandboxOptionsFromConfig(defaults), port });
  onCleanup(() => sandbox.close());
  const env = sandboxEnv(stateDir, { SANDBOX_PORT: String(sandbox.port), LISTEN_PORT: String(await freePort()), ...extra });
  return { sandbox, stateDir, env, config: loadConfig({ env }) };
}
