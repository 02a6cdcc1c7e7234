/**
 * `--forward-to URL`, the command-line form of LISTEN_FORWARD_TO, for the two commands that run
 * handlers: `npm run step:3` and `npm run worker`. The URL itself is checked where the command
 * starts (core's forwardTarget, naming `--forward-to`); here only the command line.
 *
 * @example
 * const options = forwardToOption('npm run step:3'); // undefined: printed why, exit code 2
 * if (options !== undefined) await main(options);     // {} or { forwardTo: 'http://127.0.0.1:8000/webhooks' }
 */
import { parseArgs } from 'node:util';
import { CONFIG_INVALID, ConfigError, formatError } from '../core/index.ts';

/** The option from `process.argv`, or undefined (after printing the error, exit code 2) when the command line is wrong. */
export function forwardToOption(command: string): { forwardTo?: string } | undefined {
  try {
    const forwardTo = parseArgs({ options: { 'forward-to': { type: 'string' } } }).values['forward-to'];
    return forwardTo === undefined ? {} : { forwardTo };
  } catch (error) {
    const hint = `${command} takes one option: ${command} -- --forward-to http://127.0.0.1:8000/webhooks (your app, which then gets each verified delivery).`;
    console.error(formatError(new ConfigError(CONFIG_INVALID, (error as Error).message, { hint })));
    process.exitCode = 2;
    return undefined;
  }
}
