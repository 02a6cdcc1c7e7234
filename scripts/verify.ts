/**
 * `npm run verify`: check one captured request against a signature scheme, outside any server.
 * Exit 0 and `valid` when it verifies; exit 1 and `invalid: <reason>: <message>` (plus a
 * diagnosis when one of the usual mistakes explains it) when it does not; exit 2 for bad
 * arguments: `Error: <what is wrong> [WORKBENCH_VERIFY_USAGE]`, as every refusal is printed, then
 * the usage. `--sign` prints what a sender would add instead. The body is read as bytes,
 * exactly: no trimming, no decoding, no re-encoding.
 *
 * @example
 * npm run verify -- --scheme github --secret "It's a Secret to Everybody" \
 *   --header "X-Hub-Signature-256: sha256=757107ea..." --body-file body.txt
 */
import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { diagnose } from '../steps/lib/diagnose/index.ts';
import { isMain, repeatedOption, usageErrorText, WorkbenchError } from '../steps/lib/core/index.ts';
import { findScheme, foldHeaders, schemeNames, signRequest, signsParameters, type Headers } from '../steps/lib/signature/index.ts';

export const USAGE = `Usage:
  npm run verify -- --scheme <name> --secret <secret> [--secret <older secret>...]
                    --header "<Name>: <value>" [--header ...] [--body-file <path> | < body]
                    [--url "<path?query>"] [--now <unix seconds>] [--tolerance <seconds>]
  npm run verify -- --sign --scheme <name> --secret <secret> [--body-file <path> | < body]
                    [--id <message id>] [--now <unix seconds>] [--url "<path?query>"]

Schemes: ${schemeNames().join(', ')}
The body is read byte for byte; use --body-file /dev/null for an empty one.
--sign prints the headers a sender would add, one "Name: value" per line; for vonage, which signs
parameters rather than headers, it prints the signed body instead. --now and --tolerance apply to
timestamped schemes (standard-webhooks, vonage); the default tolerance is 300 s.`;

export interface CliIo {
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** VerifyUsageError: the command line is wrong (an unknown scheme or option, no secret, no body...). Exit code 2. */
export const VERIFY_USAGE = 'WORKBENCH_VERIFY_USAGE';

/** Thrown for bad arguments: exit 2 with the message, its code and the usage. */
class VerifyUsageError extends WorkbenchError<typeof VERIFY_USAGE> {
  constructor(message: string) {
    super(VERIFY_USAGE, message);
  }
}

/** Runs the command; resolves to the exit code. */
export async function runVerify(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    if (!(error instanceof VerifyUsageError)) throw error;
    io.stderr(`${usageErrorText(error.code, error.message, USAGE)}\n`);
    return 2;
  }
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parse(argv);
  if (args.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const scheme = findScheme(args.scheme ?? '');
  if (scheme === undefined) {
    const given = args.scheme === undefined ? 'no --scheme given' : `unknown scheme ${JSON.stringify(args.scheme)}`;
    throw new VerifyUsageError(`${given}; choose one of: ${schemeNames().join(', ')}.`);
  }
  const secrets = args.secret ?? [];
  if (secrets.length === 0 || secrets.some((secret) => secret === '')) throw new VerifyUsageError('give the secret with --secret <secret> (non-empty).');
  const headers = parseHeaders(args.header ?? []);
  const now = args.now === undefined ? undefined : wholeNumber('--now', args.now);
  const nowFn = now === undefined ? {} : { now: () => now * 1000 };
  const body = await readBody(args['body-file'], io.stdin);
  const url = args.url === undefined ? {} : { url: args.url };

  if (args.sign) {
    const signed = signOrExplain(() =>
      signRequest(scheme, { body, secret: secrets[0] ?? '', ...nowFn, ...url, ...(args.id === undefined ? {} : { id: args.id }) }),
    );
    if (signsParameters(scheme)) io.stdout(`${Buffer.from(signed.body).toString('utf8')}\n`);
    else
      io.stdout(
        Object.entries(signed.headers)
          .map(([name, value]) => `${name}: ${value}\n`)
          .join(''),
      );
    return 0;
  }

  const tolerance = args.tolerance === undefined ? {} : { toleranceSec: wholeNumber('--tolerance', args.tolerance) };
  const input = { body, headers, secrets, ...nowFn, ...url, ...tolerance };
  const result = scheme.verify(input);
  if (result.ok) {
    io.stdout(result.secretIndex === 0 ? 'valid\n' : `valid\nmatched --secret #${result.secretIndex + 1}, not the first one\n`);
    return 0;
  }
  io.stdout(`invalid: ${result.reason}: ${result.message}\n`);
  const diagnosis = diagnose(scheme, input);
  if (diagnosis) io.stdout(`diagnosis: ${diagnosis.code}: ${diagnosis.explanation} ${diagnosis.fix}\n`);
  return 1;
}

/** A secret or body the scheme cannot sign with is bad input: a usage error, not a crash. */
function signOrExplain<T>(sign: () => T): T {
  try {
    return sign();
  } catch (error) {
    if (error instanceof TypeError && (error as NodeJS.ErrnoException).code === 'ERR_INVALID_ARG_VALUE') throw new VerifyUsageError(error.message);
    throw error;
  }
}

const OPTIONS = {
  scheme: { type: 'string' },
  secret: { type: 'string', multiple: true },
  header: { type: 'string', multiple: true, short: 'H' },
  'body-file': { type: 'string' },
  url: { type: 'string' },
  now: { type: 'string' },
  tolerance: { type: 'string' },
  id: { type: 'string' },
  sign: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parse(argv: readonly string[]) {
  const { values, tokens } = parseOrRefuse(argv);
  const repeated = repeatedOption(tokens, OPTIONS);
  if (repeated !== undefined) {
    throw new VerifyUsageError(`--${repeated.name} is given ${repeated.times} times: give it once (only --secret and --header may repeat).`);
  }
  return values;
}

function parseOrRefuse(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], strict: true, allowPositionals: false, tokens: true, options: OPTIONS });
  } catch (error) {
    // Not echoed: a stray argument is often the secret itself (no --secret, or one with spaces left unquoted).
    if ((error as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      throw new VerifyUsageError(
        'An argument is not the value of an option, and is not shown in case it is a secret: verify takes options only. ' +
          'Quote a value with spaces (--secret "two words"), and put -- right after npm run verify.',
      );
    }
    throw new VerifyUsageError((error as Error).message);
  }
}

// RFC 9110 field-name token, then ":" and the value (surrounding whitespace is not part of it).
const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/s;

function parseHeaders(lines: readonly string[]): Headers {
  return foldHeaders(
    lines.map((line): [string, string] => {
      const match = HEADER_LINE.exec(line);
      if (!match?.[1]) throw new VerifyUsageError(`--header ${JSON.stringify(line)} is not "Name: value".`);
      return [match[1], match[2] ?? ''];
    }),
  );
}

function wholeNumber(flag: string, raw: string): number {
  if (!/^\d{1,15}$/.test(raw)) throw new VerifyUsageError(`${flag} ${JSON.stringify(raw)} is not a whole number of seconds.`);
  return Number(raw);
}

/**
 * The most body bytes read: the largest LISTEN_BODY_LIMIT, so no request a listener could take is
 * refused, and `--body-file /dev/zero` or an endless pipe stops here instead of at 2 GiB of memory.
 */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** The body bytes from --body-file (`-` for stdin) or from stdin when it is not a terminal. */
async function readBody(path: string | undefined, stdin: CliIo['stdin']): Promise<Buffer> {
  if (path !== undefined && path !== '-') {
    try {
      return await readBounded(createReadStream(path), `--body-file ${JSON.stringify(path)}`);
    } catch (error) {
      if (error instanceof VerifyUsageError) throw error;
      throw new VerifyUsageError(`cannot read --body-file ${JSON.stringify(path)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
    }
  }
  if (path === undefined && stdin.isTTY) throw new VerifyUsageError('no body: give --body-file <path>, or pipe the body on stdin.');
  const body = await readBounded(stdin, 'stdin');
  // A forgotten pipe must not verify an empty body; an intended empty body is `--body-file /dev/null`.
  if (path === undefined && body.length === 0) throw new VerifyUsageError('no body: stdin was empty; give --body-file <path> (/dev/null for an empty body).');
  return body;
}

/** Every byte of `source`, or a VerifyUsageError once they pass MAX_BODY_BYTES. */
async function readBounded(source: AsyncIterable<string | Buffer>, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of source) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    bytes += buffer.length;
    if (bytes > MAX_BODY_BYTES) {
      throw new VerifyUsageError(
        `${what} holds more than 64 MiB: verify checks one webhook request, and no listener takes a larger body (LISTEN_BODY_LIMIT is at most 64mb).`,
      );
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

if (isMain(import.meta.url)) {
  process.exitCode = await runVerify(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
