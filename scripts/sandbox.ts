/**
 * `npm run sandbox`: a local Bracken on http://127.0.0.1:4010 (SANDBOX_PORT) with the demo
 * credentials, so every step runs offline. Prints one ready line and where its delivery log is, then
 * one line per request and per delivery attempt. Ctrl-C (or SIGTERM) stops it (core's runService)
 * with a line saying what was pending, and exit 130 (143): pending deliveries are kept in
 * `<state folder>/sandbox/store-<port>.json` and resume when a sandbox starts again on that port.
 *
 * `npm run sandbox -- deliveries [--resend ID] [--cancel ID]` talks to the running sandbox instead:
 * it lists its deliveries, resends one, or cancels a pending one.
 *
 * `npm run sandbox -- --compare NAME` holds the recording test/fixtures/recorded/NAME/ against the
 * sandbox's own choices (sandbox/compare.ts) and lists each difference.
 */
import { styleText } from 'node:util';
import { loadConfig, formatError, runService, urlHost } from '../steps/lib/core/index.ts';
import { parseSandboxCommandLine, SANDBOX_USAGE, sandboxUsageErrorText } from './sandbox/command-line.ts';
import { compareCommand } from './sandbox/compare-cli.ts';
import { deliveriesCommand } from './sandbox/deliveries-cli.ts';
import { readyLine, type RunningSandbox, sandboxOptionsFromConfig, startSandbox } from './sandbox/index.ts';

async function main(): Promise<void> {
  const asked = parseSandboxCommandLine(process.argv.slice(2));
  if (asked.command === 'usage-error') return usageError(asked.message);
  if (asked.command === 'help') {
    console.log(SANDBOX_USAGE);
    return;
  }

  const config = loadConfig();
  if (asked.command === 'compare') {
    process.exitCode = await compareCommand(asked.recording, config, console.log, console.error);
    return;
  }
  const options = sandboxOptionsFromConfig(config);
  const port = asked.port ?? options.port;

  if (asked.command === 'deliveries') {
    await deliveriesCommand({
      sandboxUrl: `http://${urlHost(options.host ?? '127.0.0.1')}:${port}`,
      resend: asked.resend,
      cancel: asked.cancel,
      // A resend waits for the receiver's answer (up to 5 s): give it the API timeout.
      timeoutMs: config.httpTimeoutMs,
      print: console.log,
    });
    return;
  }

  // Lines logged while starting (resumed deliveries) wait until after the ready line, which
  // scripts and tests read as the first line: so no title either.
  let held: string[] | undefined = [];
  // Dimmed as styleText decides for stdout: on a terminal, and with FORCE_COLOR (`| less -R`), not with NO_COLOR.
  const time = () => styleText('dim', new Date().toISOString().slice(11, 23));
  const log = (line: string) => {
    const text = `${time()} ${line}`;
    if (held === undefined) console.log(text);
    else held.push(text);
  };
  await runService({
    start: () => startSandbox({ ...options, port, log }),
    ready: (sandbox) => {
      const lines = [readyLine(sandbox), `Delivery log (attempts and your receiver's answers, live): ${sandbox.logUrl}`, ...(held ?? [])];
      held = undefined;
      return lines.join('\n');
    },
    stopped: (sandbox, signal) => `Bracken sandbox stopped (${signal}); ${pendingNote(sandbox)}.`,
    exitWithSignalCode: true,
  });
}

/** What a stop leaves pending: kept in the store of this port, which the next sandbox on the same port resumes (index.ts). */
function pendingNote(sandbox: RunningSandbox): string {
  const pending = sandbox.deliveries().filter((d) => d.status === 'pending').length;
  if (pending === 0) return 'no delivery was pending';
  const [deliveries, are, go] = pending === 1 ? ['delivery', 'is', 'goes'] : ['deliveries', 'are', 'go'];
  return `${pending} ${deliveries} still pending ${are} kept in ${sandbox.storeFile} and ${go} out when the sandbox starts again on port ${sandbox.port}`;
}

function usageError(message: string): void {
  console.error(sandboxUsageErrorText(message));
  process.exitCode = 2;
}

main().catch((error: unknown) => {
  console.error(formatError(error));
  process.exitCode = 1;
});
