/**
 * The command line of a step or script, read before it does anything: `--help` (or `-h`) prints
 * the usage and runs nothing (exit code 0), and anything the command does not take is refused
 * (exit code 2) naming it. Without this, `npm run step:6 -- --help` deleted the test user: the
 * steps without options never looked at their arguments.
 *
 * @example
 * const options = readCommandLine({ usage: 'Usage: npm run step:1 [-- --refresh]', hint: 'Step 1 takes one option: npm run step:1 -- --refresh', options: { refresh: { type: 'boolean', default: false } } });
 * if (options !== undefined) await getToken({ refresh: options.refresh });
 */
import { parseArgs } from 'node:util';
import { CONFIG_INVALID, ConfigError } from './errors.ts';
import { formatError } from './run-step.ts';

type OptionsConfig = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>;

/** What parseArgs gives for these options. */
export type CommandLineValues<O extends OptionsConfig> = ReturnType<typeof parseArgs<{ options: O; strict: true }>>['values'];

export interface CommandLineSpec<O extends OptionsConfig> {
  /** The options the command takes, in parseArgs's form; `--help` and `-h` come on top. */
  readonly options: O;
  /** What `--help` prints: how to call the command, and what each option does. */
  readonly usage: string;
  /** The `Next:` line after a refusal: what the command takes. */
  readonly hint: string;
  /** Default: the process's own arguments. */
  readonly args?: readonly string[];
}

/**
 * The parsed options, or undefined when the command must not run: `--help` was asked for (the
 * usage is printed) or the command line is wrong (the error is printed and the exit code is 2).
 */
export function readCommandLine<O extends OptionsConfig>(spec: CommandLineSpec<O>): CommandLineValues<O> | undefined {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: [...(spec.args ?? process.argv.slice(2))],
      options: { ...spec.options, help: { type: 'boolean', short: 'h', default: false } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    console.error(formatError(new ConfigError(CONFIG_INVALID, (error as Error).message, { hint: spec.hint })));
    process.exitCode = 2;
    return undefined;
  }
  if (values.help === true) {
    console.log(spec.usage);
    return undefined;
  }
  delete values.help;
  return values as CommandLineValues<O>;
}

/**
 * The first option given more than once that takes a single value (parseArgs keeps the last one and
 * drops the others without a word), from parseArgs's `tokens`; undefined when there is none.
 *
 * @example
 * const { tokens } = parseArgs({ args, options, tokens: true });
 * repeatedOption(tokens, options) // { name: 'scheme', times: 2 } for `--scheme a --scheme b`
 */
export function repeatedOption(
  tokens: readonly { readonly kind: string; readonly name?: string }[],
  options: OptionsConfig,
): { readonly name: string; readonly times: number } | undefined {
  const counts = new Map<string, number>();
  for (const token of tokens) {
    if (token.kind !== 'option' || token.name === undefined) continue;
    const option = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (option?.type === 'string' && option.multiple !== true) counts.set(token.name, (counts.get(token.name) ?? 0) + 1);
  }
  const [name, times] = [...counts].find(([, n]) => n > 1) ?? [];
  return name === undefined || times === undefined ? undefined : { name, times };
}

/**
 * What a command that prints its usage on a wrong command line writes to stderr (then exit code 2):
 * the reason with its stable code, as every refusal is printed (`Error: … [WORKBENCH_…]`), then the usage.
 */
export function usageErrorText(code: string, message: string, usage: string): string {
  return `Error: ${message} [${code}]\n\n${usage}`;
}
