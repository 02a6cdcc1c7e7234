/**
 * Reading `.env`: Node's own parser (util.parseEnv, what process.loadEnvFile uses), after dropping a
 * UTF-8 byte order mark. Editors on Windows save one, and parseEnv would make it part of the first
 * name: `\uFEFFBRACKEN_CLIENT_ID`, so BRACKEN_CLIENT_ID looked unset and every step quietly used the
 * sandbox instead of the Bracken the file was written for.
 *
 * @example
 * const vars = readEnvFile('.env'); // undefined when there is no .env
 */
import { closeSync, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { devNull } from 'node:os';
import { parseEnv } from 'node:util';
import { CONFIG_INVALID, ConfigError } from './errors.ts';
import { NONBLOCKING_READ, otherKind } from './file-kind.ts';
import { redact } from './redact.ts';
import { type EnvAssignment, type EnvScan, scanEnvText } from './env-lines.ts';

/** `.env` text as its variables. */
export function parseEnvText(text: string): Record<string, string> {
  return variablesOf(scanEnvText(withoutBom(text)));
}

/** The variables of scanned text: its blank and comment lines emptied first (EnvScan.lines). */
function variablesOf(scan: EnvScan): Record<string, string> {
  return parseEnv(scan.lines.join('\n')) as Record<string, string>;
}

function withoutBom(text: string): string {
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

/**
 * Past this, a file given as `.env` is not one (a log, a database dump): refused, not read into
 * memory. A real one is a few dozen lines; a multi-line PEM key in it is a few KiB.
 */
const MAX_ENV_FILE_BYTES = 1024 * 1024;

/** The variables in `envFile`; undefined when it does not exist; ConfigError CONFIG_INVALID when it cannot be read. */
export function readEnvFile(envFile: string): Record<string, string> | undefined {
  return readEnvFileWithLines(envFile)?.vars;
}

/** As readEnvFile, with the line of each assignment too (`npm run doctor` names a variable set twice). */
export function readEnvFileWithLines(envFile: string): { vars: Record<string, string>; assignments: EnvAssignment[] } | undefined {
  let text: string;
  try {
    text = readTextFile(envFile);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    const reason = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message;
    throw new ConfigError(CONFIG_INVALID, `${envFile} cannot be read: ${reason}.`, {
      cause: error,
      hint: `Make ${envFile} a readable file (chmod 600 ${envFile}), or remove it to use the defaults.`,
    });
  }
  const cut = valueCutByHash(text);
  if (cut !== undefined) {
    throw new ConfigError(
      CONFIG_INVALID,
      `${cut.name} in ${envFile} has a # inside its value, where .env starts a comment: it would be read as ${JSON.stringify(redact(cut.kept))}.`,
      {
        hint: `Put the value in double quotes (${cut.name}="…"), or put a space before the # if what follows is a comment.`,
        variable: cut.name,
      },
    );
  }
  // One pass over the lines for every check below and for the values.
  const scan = scanEnvText(withoutBom(text));
  const stray = scan.stray[0];
  if (stray !== undefined) {
    // Shortened: a line on its own may be a secret pasted without its name.
    throw new ConfigError(
      CONFIG_INVALID,
      `Line ${stray.line} of ${envFile} (${JSON.stringify(redact(stray.text))}) is not NAME=value: it would be read together with the next line as one name, and the variable there lost.`,
      { hint: `Write line ${stray.line} as NAME=value, or start it with # to keep it as a comment.` },
    );
  }
  const open = scan.unclosed[0];
  if (open !== undefined) {
    throw new ConfigError(
      CONFIG_INVALID,
      `Line ${open.line} of ${envFile} opens ${open.name}'s value with ${open.quote} and no later line closes it: Node's parser would keep the ${open.quote} in the value, or drop ${open.name} if it is the last line.`,
      { hint: `End ${open.name}'s value with ${open.quote}, or remove the ${open.quote} it starts with.`, variable: open.name },
    );
  }
  const tail = scan.tails[0];
  if (tail !== undefined) {
    // Shortened: what follows the quote may be the rest of a secret.
    throw new ConfigError(
      CONFIG_INVALID,
      `Line ${tail.line} of ${envFile} has ${JSON.stringify(redact(tail.text))} after the closing quote of ${tail.name}'s value: Node's parser drops it, so ${tail.name} would be read without it.`,
      { hint: `Put all of ${tail.name}'s value inside the quotes, or start what follows with # to keep it as a comment.`, variable: tail.name },
    );
  }
  return { vars: variablesOf(scan), assignments: scan.assignments };
}

/**
 * The first unquoted value with a # straight after a character (`SECRET=Ab3#x9`): Node's parser,
 * like dotenv, ends the value there, so a secret or a password with a # in it was quietly cut and
 * then refused by the server as a wrong one. A # after a space is taken as the comment it looks like.
 */
function valueCutByHash(text: string): { name: string; kept: string } | undefined {
  // A BOM before the first name is matched by `\s*`, as parseEnvText drops it.
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([\w.-]+)\s*=\s*([^'"`\s].*)$/.exec(line);
    const hash = match?.[2]?.search(/[^\s]#/);
    if (match?.[1] !== undefined && match[2] !== undefined && hash !== undefined && hash >= 0) {
      return { name: match[1], kept: match[2].slice(0, hash + 1) };
    }
  }
  return undefined;
}

/** The text of `file`, if it is a regular file of a sensible size: checked before anything is read (file-kind.ts). */
function readTextFile(file: string): string {
  if (file === devNull) return ''; // `--dotenv /dev/null`: no .env at all, a fair thing to check
  const fd = openSync(file, NONBLOCKING_READ);
  try {
    const stats = fstatSync(fd);
    const refusal = notAnEnvFile(stats);
    if (refusal !== undefined) {
      throw new ConfigError(CONFIG_INVALID, `${file} cannot be read: ${refusal}.`, {
        hint: `Make ${file} a text file of NAME=value lines (see .env.example), or remove it to use the defaults.`,
      });
    }
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** Why `stats` is not a file to read as `.env`; undefined when it is one. */
function notAnEnvFile(stats: Stats): string | undefined {
  const kind = otherKind(stats);
  if (kind !== undefined) return `it is ${kind}`;
  if (stats.size > MAX_ENV_FILE_BYTES) return `it is ${Math.ceil(stats.size / 1024 / 1024)} MiB, more than a .env file holds (the limit is 1 MiB)`;
  return undefined;
}
