/**
 * `.env` as the steps read it (core/env-file.ts): Node's parser, after a UTF-8 byte order mark is
 * dropped, so the first variable keeps its name; a file that cannot be read is a ConfigError.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseEnvText, readEnvFile } from '../../steps/lib/core/env-file.ts';
import { CONFIG_INVALID, ConfigError } from '../../steps/lib/core/errors.ts';
import { tempDir } from '../helpers/temp-dir.ts';

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
    let error: unknown;
    try {
      readEnvFile(join(dir, '.env'));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: CONFIG_INVALID, message: `${join(dir, '.env')} cannot be read: it is a folder.` });
  });
});
