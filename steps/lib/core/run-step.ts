/**
 * What every step shares when run from the command line: run only when executed directly
 * (the ESM form of express's `if (!module.parent)`), print a banner saying whether it talks to
 * the sandbox or the real Bracken, and turn a failure into a message, a hint and an exit code.
 *
 * @example
 * if (isMain(import.meta.url)) await runStep('Step 1: get an access token', () => getToken());
 * await runService({ title: 'Step 3: listen for webhooks', start: () => listen(), ready: () => 'Ctrl-C stops it.' });
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { styleText } from 'node:util';
import type { Config } from './config.ts';
import { keepRunningWhenOutputCloses } from './closed-output.ts';
import { WorkbenchError } from './errors.ts';
import { signalExitCode } from './interrupt.ts';

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
  keepRunningWhenOutputCloses(); // `npm run step:4 | head -1` must still record the user it creates
  console.log(styleText('bold', title));
  try {
    await body();
  } catch (error) {
    console.error(formatError(error));
    process.exitCode = 1;
  }
}

/** A long-running service (step 3's listener, the sandbox): started once, closed on a signal. */
export interface Service {
  close(): Promise<void>;
}

export interface ServiceRun<S extends Service> {
  /** A bold heading printed before starting; leave it out when the ready line must come first (scripts read it). */
  readonly title?: string;
  readonly start: () => Promise<S>;
  /** What to print once it runs. */
  readonly ready: (service: S) => string;
  /** What to print after a clean stop, and the signal that asked for it. */
  readonly stopped?: (service: S, signal: NodeJS.Signals) => string;
  /**
   * After a clean stop, exit 130 (SIGINT) or 143 (SIGTERM), as a shell reports a process a signal
   * ended and as an interrupted step does (interrupt.ts), rather than 0.
   */
  readonly exitWithSignalCode?: boolean;
}

/**
 * For a long-running command: prints the heading, starts the service, prints its ready text, and
 * closes it on Ctrl-C or SIGTERM (a second signal exits at once, with code 1). Handlers go in
 * first, so a Ctrl-C during start-up still closes cleanly. Exits with `process.exit`, not
 * `exitCode`: a timed-out native call (ngrok) would otherwise keep the process alive for ever.
 */
export async function runService<S extends Service>(run: ServiceRun<S>): Promise<void> {
  keepRunningWhenOutputCloses();
  if (run.title !== undefined) console.log(styleText('bold', run.title));
  let running: S | undefined;
  let stopping: NodeJS.Signals | undefined;
  const shutDown = async (service: S, signal: NodeJS.Signals): Promise<never> => {
    console.log(`${signal}: closing...`);
    try {
      await service.close();
    } catch (error) {
      console.error(formatError(error));
      return exitAfterOutput(1);
    }
    if (run.stopped !== undefined) console.log(run.stopped(service, signal));
    return exitAfterOutput(run.exitWithSignalCode === true ? signalExitCode(signal) : 0);
  };
  const stop = (signal: NodeJS.Signals) => {
    if (stopping !== undefined) {
      console.error(`${signal} again: exiting without waiting.`);
      process.exit(1);
    }
    stopping = signal;
    if (running !== undefined) void shutDown(running, signal);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    running = await run.start();
  } catch (error) {
    console.error(formatError(error));
    return exitAfterOutput(1);
  }
  if (stopping !== undefined) await shutDown(running, stopping);
  console.log(run.ready(running));
}

/** process.exit once what was printed has been handed to the OS (a pipe may be asynchronous). */
async function exitAfterOutput(code: number): Promise<never> {
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))));
  process.exit(code);
}

/**
 * One or two lines a person can act on: the message, the code, and what to do next. An
 * AggregateError of WorkbenchErrors (step 6 tries every clean-up request) gets those lines for each,
 * a Next line said once when several errors share it. Coloured only when `stream`, where the lines
 * go (stderr unless the caller prints them on stdout), is a terminal that takes colour (and as
 * NO_COLOR / FORCE_COLOR say): styleText on its own asks stdout, so `2> err.log` got escape codes.
 */
export function formatError(error: unknown, stream: NodeJS.WritableStream = process.stderr): string {
  const red = (text: string) => styleText('red', text, { stream });
  const errorLines = (one: WorkbenchError): string[] => [
    `${red('Error:')} ${one.message} [${one.code}]`,
    ...(one.hint === undefined ? [] : [`Next: ${one.hint}`]),
  ];
  if (error instanceof WorkbenchError) return errorLines(error).join('\n');
  const errors: unknown[] = error instanceof AggregateError ? error.errors : [];
  if (errors.length > 0 && errors.every((e): e is WorkbenchError => e instanceof WorkbenchError)) {
    const lines: string[] = [];
    for (const line of errors.flatMap(errorLines)) if (!(line.startsWith('Next: ') && lines.includes(line))) lines.push(line);
    return lines.join('\n');
  }
  return `${red('Unexpected error:')} ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}
