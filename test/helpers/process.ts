/**
 * The workbench's scripts run as a user runs them: `node --import tsx <file>` from the project root
 * (what `npm run ...` runs), for the tests that check exit codes, output and signals. One way to
 * run a script to its end (`runScript`), one way to start a long-running one (`startScript`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT, type Env } from '../../steps/lib/core/config.ts';
import { onCleanup } from './cleanup.ts';

/** The variables the workbench reads (config.ts): a developer's shell must not steer a script under test. */
const WORKBENCH_VARIABLE =
  /^(BRACKEN_|SANDBOX_|WORKBENCH_|LISTEN_|INSPECT_|JOURNAL_|WEBHOOK_|NGROK_|HANDLER_|WORKER_|HTTP_TIMEOUT_MS$|TEST_USERNAME$|DATABASE_URL$)/;

/**
 * This process's environment without the workbench's variables, plain-text output, and `vars` on
 * top. FORCE_COLOR goes too: Node ignores NO_COLOR (with a warning on stderr) when both are set.
 */
export function scriptEnv(vars: Env = {}): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([name]) => !WORKBENCH_VARIABLE.test(name) && name !== 'FORCE_COLOR');
  return { ...Object.fromEntries(inherited), NO_COLOR: '1', ...vars };
}

export interface ScriptOptions {
  /** Arguments after the file. */
  readonly args?: readonly string[];
  /** Variables on top of `scriptEnv()`. */
  readonly env?: Env;
  /** Bytes piped to stdin, which is then closed (at once without them). Not for startScript. */
  readonly stdin?: string | Buffer;
}

export interface ScriptResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `node --import tsx <file> ...args`, `file` relative to the project root. */
function tsx(file: string, args: readonly string[] = []): string[] {
  return [process.execPath, '--import', 'tsx', join(PROJECT_ROOT, file), ...args];
}

/** Runs `node --import tsx <file>` to its end and returns its exit code and output. */
export function runScript(file: string, options: ScriptOptions = {}): Promise<ScriptResult> {
  return runCommand(tsx(file, options.args), options);
}

/** Runs `command` (e.g. `npm run -s verify -- ...`) from the project root to its end. */
export function runCommand(command: readonly string[], options: Omit<ScriptOptions, 'args'> = {}): Promise<ScriptResult> {
  const [file = '', ...args] = command;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: PROJECT_ROOT, env: scriptEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    // A script may exit without reading its input (EPIPE): its exit code and output tell the test what happened.
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin ?? '');
  });
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface StartedScript {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** The complete stdout lines so far. */
  lines(): string[];
  /** Resolves with the first match of `pattern` in stdout; rejects if the script exits first, or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the first stdout line that is JSON with `type === wanted`; rejects if the script exits first. */
  waitForMessage<T>(wanted: string): Promise<T>;
  /** Resolves once the process has exited, with its code or signal. */
  exited(): Promise<Exit>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `node --import tsx <file>` and leaves it running (step 3, the sandbox, a fixture). It is
 * SIGKILLed when the test ends if it is still running (see cleanup.ts).
 */
export function startScript(file: string, options: Omit<ScriptOptions, 'stdin'> = {}): StartedScript {
  return startCommand(tsx(file, options.args), { label: file, ...(options.env === undefined ? {} : { env: options.env }) });
}

export interface CommandOptions {
  /** Variables on top of `scriptEnv()`. */
  readonly env?: Env;
  /** Keep stdin open for `write` (otherwise it is closed). */
  readonly input?: boolean;
  /** Its own process group, killed as a whole when the test ends: for a shell that starts children. */
  readonly processGroup?: boolean;
  /** What the error messages call it; default the command. */
  readonly label?: string;
}

export interface StartedCommand extends StartedScript {
  /** Writes to its stdin (started with `input: true`). */
  write(text: string): void;
}

/** Starts `command` from the project root and leaves it running, as startScript does. */
export function startCommand(command: readonly string[], options: CommandOptions = {}): StartedCommand {
  const [file = '', ...args] = command;
  const label = options.label ?? command.join(' ');
  const child = spawn(file, args, {
    cwd: PROJECT_ROOT,
    env: scriptEnv(options.env),
    stdio: [options.input === true ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    detached: options.processGroup === true,
  });
  let stdout = '';
  let stderr = '';
  const wakers = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    for (const wake of wakers) wake();
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  // 'close', not 'exit': by then every byte the script wrote has been read.
  const exit = new Promise<Exit>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  onCleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      if (options.processGroup === true && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    }
    await exit;
  });

  /** Calls `find` on every new stdout chunk until it returns a value; rejects on exit, or after `timeoutMs` if given. */
  const watch = <T>(what: string, find: () => T | undefined, timeoutMs?: number): Promise<T> =>
    new Promise((resolve, reject) => {
      const settle = (outcome: () => void) => {
        clearTimeout(timer);
        wakers.delete(check);
        outcome();
      };
      const check = () => {
        const found = find();
        if (found !== undefined) settle(() => resolve(found));
      };
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => settle(() => reject(new Error(`${label}: timed out waiting for ${what} in:\n${stdout}${stderr}`))), timeoutMs);
      wakers.add(check);
      void exit.then(({ code, signal }) => settle(() => reject(new Error(`${label} exited (${code ?? signal}) before ${what}:\n${stdout}${stderr}`))));
      check();
    });

  const lines = () => stdout.split('\n').slice(0, -1);
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    lines,
    waitFor: (pattern, timeoutMs = 20_000) => watch(String(pattern), () => stdout.match(pattern) ?? undefined, timeoutMs),
    waitForMessage: <T>(wanted: string) =>
      watch(
        `a "${wanted}" message`,
        () =>
          lines()
            .map(messageOf)
            .find((message) => message?.type === wanted) as T | undefined,
      ),
    exited: () => exit,
    async stop() {
      child.kill('SIGTERM');
      return (await exit).code;
    },
    write(text) {
      child.stdin?.write(text);
    },
  };
}

/** The pid of a process that has already exited (for stale locks and liveness checks). */
export function exitedPid(): number {
  const { pid } = spawnSync(process.execPath, ['-e', '0']);
  if (pid === undefined) throw new Error('could not start a process to get its pid');
  return pid;
}

function messageOf(line: string): { type?: unknown } | undefined {
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined; // not a message line
  }
}
