/**
 * `npm run sandbox`: a local Bracken on http://127.0.0.1:4010 (SANDBOX_PORT) with the demo
 * credentials, so every step runs offline. Prints one ready line, then one line per request and
 * per delivery attempt. Ctrl-C (or SIGTERM) stops it (core's runService); pending deliveries are
 * kept in `<state folder>/sandbox/store-<port>.json` and resume on the next start.
 */
import { parseArgs, styleText } from 'node:util';
import { loadConfig, formatError, runService } from '../steps/lib/core/index.ts';
import { readyLine, sandboxOptionsFromConfig, startSandbox } from './sandbox/index.ts';

const USAGE = `Usage: npm run sandbox [-- --port <port>]

Starts a local Bracken (identity server, API, webhook deliveries) on 127.0.0.1.
Settings come from .env / the environment: SANDBOX_PORT (default 4010), SANDBOX_CLIENT_ID,
SANDBOX_CLIENT_SECRET, SANDBOX_DOMAINKEY, SANDBOX_TOKEN_LIFETIME, SANDBOX_RETRY_SCHEDULE, SANDBOX_EXPIRING_DAYS,
WORKBENCH_STATE_DIR, BRACKEN_USER_DELETE_ROUTE. --port overrides SANDBOX_PORT (0 = any free port).`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  const config = loadConfig();
  const options = sandboxOptionsFromConfig(config);
  const port = values.port === undefined ? options.port : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`Error: --port ${JSON.stringify(values.port)} is not a port number (0-65535).`);
    process.exitCode = 2;
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
      const lines = [readyLine(sandbox), ...(held ?? [])];
      held = undefined;
      return lines.join('\n');
    },
    stopped: (sandbox) => {
      const pending = sandbox.deliveries().filter((d) => d.status === 'pending').length;
      return `Bracken sandbox stopped${pending > 0 ? `; ${pending} pending deliveries kept in ${sandbox.storeFile}` : ''}.`;
    },
  });
}

main().catch((error: unknown) => {
  console.error(formatError(error));
  process.exitCode = 1;
});
