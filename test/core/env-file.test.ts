/**
 * `.env` as the steps read it (core/env-file.ts): Node's parser, after a UTF-8 byte order mark is
 * dropped, so the first variable keeps its name; a file that cannot be read is a ConfigError.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseEnvText, readEnvFile } from '../../steps/lib/core/env-file.ts';
import { CONFIG_INVALID, ConfigError } from '../../steps/lib/core/errors.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** What `read` throws; undefined when it returns. */
function thrownBy(read: () => unknown): unknown {
  try {
    read();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('.env', () => {
  test('a byte order mark before the first name is not part of it; CRLF line ends are fine', () => {
    expect(parseEnvText('\uFEFFBRACKEN_CLIENT_ID=abc\r\nBRACKEN_CLIENT_SECRET="s3cret"\r\n')).toEqual({
      BRACKEN_CLIENT_ID: 'abc',
      BRACKEN_CLIENT_SECRET: 's3cret',
    });
  });

  test('a file with one is read the same way; no file is undefined', async () => {
    const dir = await tempDir('env-file');
    await writeFile(join(dir, '.env'), '\uFEFFBRACKEN_CLIENT_ID=abc\n');
    expect(readEnvFile(join(dir, '.env'))).toEqual({ BRACKEN_CLIENT_ID: 'abc' });
    expect(readEnvFile(join(dir, 'none'))).toBeUndefined();
  });

  test('a folder named .env is CONFIG_INVALID naming it', async () => {
    const dir = await tempDir('env-file');
    await mkdir(join(dir, '.env'));
    const error = thrownBy(() => readEnvFile(join(dir, '.env')));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: CONFIG_INVALID, message: `${join(dir, '.env')} cannot be read: it is a folder.` });
  });

  test('a # inside an unquoted value is refused naming the variable, the value shortened; quoted, or after a space, it is fine', async () => {
    const dir = await tempDir('env-file');
    const file = join(dir, '.env');
    await writeFile(file, 'BRACKEN_CLIENT_ID=acme # our client\nBRACKEN_CLIENT_SECRET=Xy9kQ2vL7p#R4tZ8wN3m\n');
    const error = thrownBy(() => readEnvFile(file));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({
      code: CONFIG_INVALID,
      variable: 'BRACKEN_CLIENT_SECRET',
      message: `BRACKEN_CLIENT_SECRET in ${file} has a # inside its value, where .env starts a comment: it would be read as "Xy9k…(10 chars)".`,
      hint: 'Put the value in double quotes (BRACKEN_CLIENT_SECRET="…"), or put a space before the # if what follows is a comment.',
    });
    expect(`${(error as ConfigError).message} ${(error as ConfigError).hint}`).not.toContain('R4tZ8');
    await writeFile(file, 'BRACKEN_CLIENT_ID=acme # our client\nBRACKEN_CLIENT_SECRET="Xy9kQ2vL7p#R4tZ8wN3m"\n# a=b#c\n');
    expect(readEnvFile(file)).toEqual({ BRACKEN_CLIENT_ID: 'acme', BRACKEN_CLIENT_SECRET: 'Xy9kQ2vL7p#R4tZ8wN3m' });
  });

  test('what is not a text file is refused before it is read: a named pipe, a device, a file of megabytes; /dev/null is no .env', async () => {
    const dir = await tempDir('env-file');
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const big = join(dir, 'big.env');
    await writeFile(big, `A=${'x'.repeat(2 * 1024 * 1024)}\n`);
    const hint = (file: string) => `Make ${file} a text file of NAME=value lines (see .env.example), or remove it to use the defaults.`;
    expect(refusal(() => readEnvFile(big))).toMatchObject({
      code: CONFIG_INVALID,
      message: `${big} cannot be read: it is 3 MiB, more than a .env file holds (the limit is 1 MiB).`,
      hint: hint(big),
    });
    expect(readEnvFile('/dev/null')).toEqual({});
    // Before, the pipe waited for a writer forever and /dev/zero was read until memory ran out.
    expect(refusal(() => readEnvFile(fifo))).toMatchObject({
      code: CONFIG_INVALID,
      message: `${fifo} cannot be read: it is a named pipe (FIFO).`,
      hint: hint(fifo),
    });
    expect(refusal(() => readEnvFile('/dev/zero'))).toMatchObject({ code: CONFIG_INVALID, message: '/dev/zero cannot be read: it is a device.' });
  });
});

/** The ConfigError `read` throws. */
function refusal(read: () => unknown): ConfigError {
  try {
    read();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, got none');
}

describe('a line that is not NAME=value', () => {
  test('is refused naming its line, shortened (it may be a secret pasted alone): Node would read it and the next variable as one name', async () => {
    const dir = await tempDir('env-file');
    const file = join(dir, '.env');
    // Node 20's parser reads line 2 up to LISTEN_PORT as one name, past the blank line and the comment: LISTEN_PORT is lost.
    const text = 'BRACKEN_CLIENT_ID=acme\nmJ0dXkq7sLwP3vZr9TbN\n\n# the port\nLISTEN_PORT=5001\n';
    await writeFile(file, text);
    const error = thrownBy(() => readEnvFile(file));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({
      code: CONFIG_INVALID,
      message: `Line 2 of ${file} ("mJ0d…(20 chars)") is not NAME=value: it would be read together with the next line as one name, and the variable there lost.`,
      hint: 'Write line 2 as NAME=value, or start it with # to keep it as a comment.',
    });
  });

  test("text after a quoted value's closing quote is refused naming the line and the variable, shortened: Node would drop it", async () => {
    const dir = await tempDir('env-file');
    const file = join(dir, '.env');
    for (const [text, line, tail] of [
      ['A=1\nWEBHOOK_SECRET="whsec_abc" def456ghi789\n', 2, 'def4…(12 chars)'],
      ["WEBHOOK_SECRET='x'yz\n", 1, '****'],
      ['WEBHOOK_SECRET="-----BEGIN\nKEY-----" and the rest of it\nB=2\n', 2, 'and …(18 chars)'],
      // After a tab: Node 20 reads the line whole and unquoted, Node 22 and later drop `first`.
      ['WEBHOOK_SECRET=\t"tab"first\n', 1, '****'],
    ] as const) {
      await writeFile(file, text);
      expect(thrownBy(() => readEnvFile(file))).toMatchObject({
        code: CONFIG_INVALID,
        message: `Line ${line} of ${file} has "${tail}" after the closing quote of WEBHOOK_SECRET's value: Node's parser drops it, so WEBHOOK_SECRET would be read without it.`,
        hint: "Put all of WEBHOOK_SECRET's value inside the quotes, or start what follows with # to keep it as a comment.",
      });
    }
    // A comment, or spaces, after the quote is what it looks like.
    await writeFile(file, 'A="x y" # the comment\nB=\'z\'  \nC="#"#c\n');
    expect(readEnvFile(file)).toEqual({ A: 'x y', B: 'z', C: '#' });
  });

  test('a value whose opening quote is never closed is refused naming the line and the variable: Node would keep the quote, or drop the variable', async () => {
    const dir = await tempDir('env-file');
    const file = join(dir, '.env');
    for (const [text, line] of [
      ['A=1\nWEBHOOK_SECRET="whsec_abc', 2],
      ['WEBHOOK_SECRET="whsec_abc\nB=2\n', 1],
    ] as const) {
      await writeFile(file, text);
      expect(thrownBy(() => readEnvFile(file))).toMatchObject({
        code: CONFIG_INVALID,
        message: `Line ${line} of ${file} opens WEBHOOK_SECRET's value with " and no later line closes it: Node's parser would keep the " in the value, or drop WEBHOOK_SECRET if it is the last line.`,
        hint: 'End WEBHOOK_SECRET\'s value with ", or remove the " it starts with.',
      });
    }
  });

  test('a line of spaces or an indented comment no longer swallows the next variable; `export` and a multi-line quoted value are fine', async () => {
    const dir = await tempDir('env-file');
    const file = join(dir, '.env');
    const text =
      '# comment\r\n\r\n  # indented comment\r\nexport A=1\r\n   \r\nKEY="-----BEGIN KEY-----\r\n  \r\n  # not a comment\r\n-----END KEY-----"\r\nB = two\r\n';
    // Node 20's parser alone loses A and KEY under names that begin with the line before ('# indented comment\nexport A').
    await writeFile(file, text);
    expect(readEnvFile(file)).toEqual({ A: '1', KEY: '-----BEGIN KEY-----\n  \n  # not a comment\n-----END KEY-----', B: 'two' });
  });
});
