/**
 * `npm run sandbox`: a local Bracken on http://127.0.0.1:4010 (SANDBOX_PORT) with the demo
 * credentials, so every step runs offline. Prints one ready line and where its delivery log is, then
 * one line per request and per delivery attempt. Ctrl-C (or SIGTERM) stops it (core's runService);
 * pending deliveries are kept in `<state folder>/sandbox/store-<port>.json` and resume on the next start.
 *
 * `npm run sandbox -- deliveries [--resend ID] [--cancel ID]` talks to the running sandbox instead:
 * it lists its deliveries, resends one, or cancels a pending one.
 *
 * `npm run sandbox -- --compare NAME` holds the recording test/fixtures/recorded/NAME/ against the
 * sandbox's own choices (sandbox/compare.ts) and lists each difference.
 */
import { parseArgs, styleText } from 'node:util';
import { loadConfig, formatError, runService, urlHost } from '../steps/lib/core/index.ts';
import { compareCommand } from './sandbox/compare-cli.ts';
import { deliveriesCommand } from './sandbox/deliveries-cli.ts';
import { readyLine, sandboxOptionsFromConfig, startSandbox } from './sandbox/index.ts';

const USAGE = `Usage: npm run sandbox [-- --port <port>]
       npm run sandbox -- deliveries [--resend <id> | --cancel <id>] [--port <port>]
       npm run sandbox -- --compare <recording>

Starts a local Bracken (identity server, API, webhook deliveries) on 127.0.0.1, with a live
delivery log at http://127.0.0.1:<port>/sandbox/.
Settings come from .env / the environment: SANDBOX_PORT (default 4010), SANDBOX_CLIENT_ID,
SANDBOX_CLIENT_SECRET, SANDBOX_DOMAINKEY, SANDBOX_TOKEN_LIFETIME, SANDBOX_RETRY_SCHEDULE,
SANDBOX_RETRY_MAX_AGE, SANDBOX_EXPIRING_DAYS, WORKBENCH_STATE_DIR, BRACKEN_USER_DELETE_ROUTE.
--port overrides SANDBOX_PORT (0 = any free port).

deliveries: lists the running sandbox's deliveries (newest first, with the last answer);
--resend <id> makes a new attempt of the same bytes now; --cancel <id> stops a pending one.

--compare: holds test/fixtures/recorded/<recording>/ against a sandbox of its own with these
settings and lists each difference; exit 0 none, 1 differences, 2 no such recording, 3 could not compare.`;

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseArguments>;
  try {
    parsed = parseArguments();
  } catch (error) {
    return usageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  const command = positionals[0];
  if (positionals.length > 1 || (command !== undefined && command !== 'deliveries'))
    return usageError(`Unknown command ${JSON.stringify(positionals.join(' '))}.`);
  const acting = [values.resend, values.cancel].filter((v) => v !== undefined);
  if (command === undefined && acting.length > 0)
    return usageError('--resend and --cancel belong to the deliveries command: npm run sandbox -- deliveries --resend <id>.');
  if (acting.length > 1) return usageError('Give --resend or --cancel, not both.');
  if (values.compare !== undefined && (command !== undefined || values.port !== undefined))
    return usageError('--compare takes a recording name and nothing else.');

  const config = loadConfig();
  if (values.compare !== undefined) {
    process.exitCode = await compareCommand(values.compare, config, console.log, console.error);
    return;
  }
  const options = sandboxOptionsFromConfig(config);
  const port = values.port === undefined ? options.port : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return usageError(`--port ${JSON.stringify(values.port)} is not a port number (0-65535).`);

  if (command === 'deliveries') {
    await deliveriesCommand({
      sandboxUrl: `http://${urlHost(options.host ?? '127.0.0.1')}:${port}`,
      resend: values.resend,
      cancel: values.cancel,
      // A resend waits for the receiver's answer (up to 5 s): give it the API timeout.
      timeoutMs: config.httpTimeoutMs,
      print: console.log,
    });
    return;
  }

  // Lines logged while starting (resumed deliveries) wait until after the ready line, which
  // scripts and tests read as the first line: so no title either.
  let held: string[] | undefined = [];
  const time = () => new Date().toISOString().slice(11, 23);
  const log = (line: string) => {
    const text = `${process.stdout.isTTY ? styleText('dim', time()) : time()} ${line}`;
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
    stopped: (sandbox) => {
      const pending = sandbox.deliveries().filter((d) => d.status === 'pending').length;
      return `Bracken sandbox stopped${pending > 0 ? `; ${pending} pending deliveries kept in ${sandbox.storeFile}` : ''}.`;
    },
  });
}

function parseArguments() {
  return parseArgs({
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      resend: { type: 'string' },
      cancel: { type: 'string' },
      compare: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function usageError(message: string): void {
  console.error(`Error: ${message}\n\n${USAGE}`);
  process.exitCode = 2;
}

main().catch((error: unknown) => {
  console.error(formatError(error));
  process.exitCode = 1;
});
