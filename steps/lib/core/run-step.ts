/**
 * What every step shares when run from the command line: run only when executed directly
 * (the ESM form of express's `if (!module.parent)`), print a banner saying whether it talks to
 * the sandbox or the real Bracken, and turn a failure into a message, a hint and an exit code.
 *
 * @example
 * if (isMain(import.meta.url)) await runStep('Step 1: get an access token', () => getToken());
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { styleText } from 'node:util';
import type { Config } from './config.ts';
import { WorkbenchError } from './errors.ts';

/** True when the module at `moduleUrl` is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

/** The first line of every step: which Bracken it talks to. */
export function describeTarget(config: Config): string {
  return config.mode === 'sandbox'
    ? `Using the local sandbox at ${config.apiUrl} with the demo credentials (client_id ${config.clientId}, domainkey ${config.domainkey}); set BRACKEN_CLIENT_ID in .env to use the real Bracken.`
    : `Using Bracken at ${config.apiUrl} (identity ${config.identityUrl}) as client ${config.clientId}, domainkey ${config.domainkey}.`;
}

/** Prints a heading, runs `body`, and on failure prints the error and its hint and sets exit code 1. */
export async function runStep(title: string, body: () => Promise<unknown>): Promise<void> {
  console.log(styleText('bold', title));
  try {
    await body();
  } catch (error) {
    console.error(formatError(error));
    process.exitCode = 1;
  }
}

/**
 * For a long-running step: prints a heading, starts the service, and closes it on Ctrl-C or
 * SIGTERM (a second signal exits at once). Handlers go in first, so a Ctrl-C during start-up still
 * closes cleanly. Exits with `process.exit`, not `exitCode`: a timed-out native call (ngrok) would
 * otherwise keep the process alive for ever.
 */
export async function runService(title: string, start: () => Promise<{ close(): Promise<void> }>, readyHint: string): Promise<void> {
  console.log(styleText('bold', title));
  let running: { close(): Promise<void> } | undefined;
  let stopping: NodeJS.Signals | undefined;
  const shutDown = async (service: { close(): Promise<void> }, signal: NodeJS.Signals): Promise<never> => {
    console.log(`${signal}: closing...`);
    try {
      await service.close();
    } catch (error) {
      console.error(formatError(error));
      process.exit(1);
    }
    process.exit(0);
  };
  const stop = (signal: NodeJS.Signals) => {
    if (stopping !== undefined) process.exit(1);
    stopping = signal;
    if (running !== undefined) void shutDown(running, signal);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    running = await start();
  } catch (error) {
    console.error(formatError(error));
    process.exit(1);
  }
  if (stopping !== undefined) await shutDown(running, stopping);
  console.log(readyHint);
}

/** One or two lines a person can act on: the message, the code, and what to do next. */
export function formatError(error: unknown): string {
  if (error instanceof WorkbenchError) {
    const lines = [`${styleText('red', 'Error:')} ${error.message} [${error.code}]`];
    if (error.hint !== undefined) lines.push(`Next: ${error.hint}`);
    return lines.join('\n');
  }
  return `${styleText('red', 'Unexpected error:')} ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}
