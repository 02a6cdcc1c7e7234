/**
 * Reading `.env`: Node's own parser (util.parseEnv, what process.loadEnvFile uses), after dropping a
 * UTF-8 byte order mark. Editors on Windows save one, and parseEnv would make it part of the first
 * name: `\uFEFFBRACKEN_CLIENT_ID`, so BRACKEN_CLIENT_ID looked unset and every step quietly used the
 * sandbox instead of the Bracken the file was written for.
 *
 * @example
 * const vars = readEnvFile('.env'); // undefined when there is no .env
 */
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { CONFIG_INVALID, ConfigError } from './errors.ts';
import { redact } from './redact.ts';

/** `.env` text as its variables. */
export function parseEnvText(text: string): Record<string, string> {
  return parseEnv(text.startsWith('\uFEFF') ? text.slice(1) : text) as Record<string, string>;
}

/** The variables in `envFile`; undefined when it does not exist; ConfigError CONFIG_INVALID when it cannot be read. */
export function readEnvFile(envFile: string): Record<string, string> | undefined {
  let text: string;
  try {
    text = readFileSync(envFile, 'utf8');
  } catch (error) {
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
  return parseEnvText(text);
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
