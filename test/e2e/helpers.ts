/**
 * End-to-end fixtures: no mocks. A real sandbox on a free loopback port, a temp state folder, the
 * steps run in-process or as child processes exactly as `npm run step:N` runs them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig, PROJECT_ROOT, type Config, type Env } from '../../steps/lib/core/config.ts';
import { sandboxOptionsFromConfig, startSandbox, type RunningSandbox } from '../../scripts/sandbox/index.ts';
import { freePort } from '../../scripts/walkthrough/free-port.ts';

const cleanups: (() => Promise<unknown>)[] = [];

export async function cleanup(): Promise<void> {
  for (const task of cleanups.splice(0).reverse()) await task();
}

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'workbench-e2e-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

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
  const stateDir = stateDirArg ?? (await tempDir());
  const defaults = loadConfig({ env: sandboxEnv(stateDir, extra) });
  const sandbox = await startSandbox({ ...sandboxOptionsFromConfig(defaults), port });
  cleanups.push(() => sandbox.close());
  const env = sandboxEnv(stateDir, { SANDBOX_PORT: String(sandbox.port), LISTEN_PORT: String(await freePort()), ...extra });
  return { sandbox, stateDir, env, config: loadConfig({ env }) };
}

/** Collects log lines for assertions. */
export function logSink(): { lines: string[]; log: (line: string) => void; text: () => string } {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(line), text: () => lines.join('\n') };
}

/** A stream that swallows the progress indicator. */
export const quietStream = new Writable({ write: (_chunk, _enc, done) => done() });

export interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a step file as `npm run step:N` does (node --import tsx), with `env` on top of this process's. */
export function runScript(file: string, env: Env, args: string[] = []): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, file), ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface LongRunning {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves when `pattern` shows in stdout; rejects if the process exits first or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts a long-running script (step 3, the sandbox); it is killed at cleanup if still running. */
export function startScript(file: string, env: Env): LongRunning {
  const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, file)], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env, NO_COLOR: '1', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    listeners.forEach((wake) => wake());
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return {
    child,
    output: () => out,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = out.match(pattern);
          if (match) done(() => resolve(match));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`Timed out waiting for ${pattern} in:\n${out}`))), timeoutMs);
        const done = (outcome: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          outcome();
        };
        listeners.add(check);
        void exited.then((code) => done(() => reject(new Error(`Exited (${code}) before ${pattern}:\n${out}`))));
        check();
      });
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
