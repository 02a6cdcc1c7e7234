/**
 * `npm run sandbox`'s command line: which of its three commands was asked for, or the usage error
 * to print (exit 2). Kept apart from scripts/sandbox.ts, which acts on it, so the choice can be
 * checked without starting a process.
 *
 * @example
 * parseSandboxCommandLine(['deliveries', '--cancel', 'd-1']); // { command: 'deliveries', cancel: 'd-1', ... }
 * parseSandboxCommandLine(['delivery']); // { command: 'usage-error', message: 'Unknown command "delivery".' }
 */
import { parseArgs } from 'node:util';
import { usageErrorText } from '../../steps/lib/core/index.ts';
import { COMMAND_LIST_LIMIT } from './delivery-view.ts';
import { SANDBOX_USAGE_ERROR } from './errors.ts';

export const SANDBOX_USAGE = `Usage: npm run sandbox [-- --port <port>]
       npm run sandbox -- deliveries [--resend <id> | --cancel <id>] [--port <port>]
       npm run sandbox -- --compare <recording>

Starts a local Bracken (identity server, API, webhook deliveries) on 127.0.0.1 (SANDBOX_HOST), with
a live delivery log at http://127.0.0.1:<port>/sandbox/.
Settings come from .env / the environment: SANDBOX_PORT (default 4010), SANDBOX_HOST, SANDBOX_CLIENT_ID,
SANDBOX_CLIENT_SECRET, SANDBOX_DOMAINKEY, SANDBOX_TOKEN_LIFETIME, SANDBOX_RETRY_SCHEDULE,
SANDBOX_RETRY_MAX_AGE, SANDBOX_EXPIRING_DAYS, WORKBENCH_STATE_DIR, BRACKEN_USER_DELETE_ROUTE.
--port overrides SANDBOX_PORT (0 = any free port).

deliveries: lists the running sandbox's newest ${COMMAND_LIST_LIMIT} deliveries (with the last answer);
--resend <id> makes a new attempt of the same bytes now; --cancel <id> stops a pending one.

--compare: holds test/fixtures/recorded/<recording>/ against a sandbox of its own with these
settings and lists each difference; exit 0 none, 1 differences, 2 no such recording (or a wrong
command line), 3 could not compare.`;

export type SandboxCommandLine =
  | { readonly command: 'help' }
  | { readonly command: 'usage-error'; readonly message: string }
  | { readonly command: 'compare'; readonly recording: string }
  /** `port` is --port (0-65535), or undefined for the config's SANDBOX_PORT. */
  | { readonly command: 'serve'; readonly port: number | undefined }
  | {
      readonly command: 'deliveries';
      readonly port: number | undefined;
      readonly resend: string | undefined;
      readonly cancel: string | undefined;
    };

/** The command `argv` (the arguments after the script) asks for; never throws. */
export function parseSandboxCommandLine(argv: readonly string[]): SandboxCommandLine {
  let parsed: ReturnType<typeof parseArguments>;
  try {
    parsed = parseArguments(argv);
  } catch (error) {
    return usageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { command: 'help' };
  const command = positionals[0];
  if (positionals.length > 1 || (command !== undefined && command !== 'deliveries'))
    return usageError(`Unknown command ${JSON.stringify(positionals.join(' '))}.`);
  const acting = [values.resend, values.cancel].filter((v) => v !== undefined);
  if (command === undefined && acting.length > 0)
    return usageError('--resend and --cancel belong to the deliveries command: npm run sandbox -- deliveries --resend <id>.');
  if (acting.length > 1) return usageError('Give --resend or --cancel, not both.');
  if (values.compare !== undefined && (command !== undefined || values.port !== undefined))
    return usageError('--compare takes a recording name and nothing else.');
  if (values.compare !== undefined) return { command: 'compare', recording: values.compare };
  const port = values.port === undefined ? undefined : portNumber(values.port);
  if (port === null) return usageError(`--port ${JSON.stringify(values.port)} is not a port number (0-65535).`);
  if (command === 'deliveries') return { command, port, resend: values.resend, cancel: values.cancel };
  return { command: 'serve', port };
}

/**
 * What a usage error prints on stderr: the reason with its stable code, as every other refusal is
 * printed (`Error: … [WORKBENCH_…]`, like `npm run trigger`'s), then the usage.
 */
export function sandboxUsageErrorText(message: string): string {
  return usageErrorText(SANDBOX_USAGE_ERROR, message, SANDBOX_USAGE);
}

/** Digits only: Number() would also take '', ' ', '1e3' and '0x10' (an empty one meant any free port). */
function portNumber(text: string): number | null {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  return port <= 65535 ? port : null;
}

function usageError(message: string): SandboxCommandLine {
  return { command: 'usage-error', message };
}

function parseArguments(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
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
