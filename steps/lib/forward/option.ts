/**
 * `--forward-to URL`, the command-line form of LISTEN_FORWARD_TO, for the two commands that run
 * handlers: `npm run step:3` and `npm run worker`. The URL itself is checked where the command
 * starts (core's forwardTarget, naming `--forward-to`); here only the command line.
 *
 * @example
 * const options = forwardToOption('npm run step:3', 'Step 3: runs the listener.'); // undefined: --help printed, or the error (exit code 2)
 * if (options !== undefined) await main(options);                                    // {} or { forwardTo: 'http://127.0.0.1:8000/webhooks' }
 */
import { readCommandLine } from '../core/index.ts';

/** The option from `process.argv`, or undefined when the command must not run (`--help`, or a wrong command line: exit code 2). */
export function forwardToOption(command: string, what: string): { forwardTo?: string } | undefined {
  const values = readCommandLine({
    options: { 'forward-to': { type: 'string' } },
    usage: [
      `Usage: ${command} [-- --forward-to <url>]`,
      what,
      '  --forward-to <url>   hand each verified delivery to your app at <url> (LISTEN_FORWARD_TO in .env does the same)',
      '  -h, --help           this help',
    ].join('\n'),
    hint: `${command} takes one option: ${command} -- --forward-to http://127.0.0.1:8000/webhooks (your app, which then gets each verified delivery).`,
  });
  if (values === undefined) return undefined;
  return values['forward-to'] === undefined ? {} : { forwardTo: values['forward-to'] };
}
