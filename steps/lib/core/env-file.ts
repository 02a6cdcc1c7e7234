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
  return parseEnvText(text);
}
