/**
 * Every number setting has a range, and a value outside it is refused when the config loads, naming
 * the variable (issue 14, fault 4: values above 2^31 ms were accepted, then fired at once or crashed).
 */
import { describe, expect, test } from 'vitest';
import { loadConfig, SETTING_RANGES, type Env } from '../../steps/lib/core/config.ts';
import { CONFIG_INVALID, ConfigError } from '../../steps/lib/core/errors.ts';

const BRACKEN: Env = { BRACKEN_CLIENT_ID: 'bracken-client', BRACKEN_CLIENT_SECRET: 'client-secret', BRACKEN_DOMAINKEY: '15435' };

function refusal(env: Env): ConfigError {
  try {
    loadConfig({ env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted it');
}

/** The env that sets `name` to `value` (BRACKEN_DOMAINKEY only counts with the real Bracken's variables). */
function envWith(name: string, value: string): Env {
  return name === 'BRACKEN_DOMAINKEY' ? { ...BRACKEN, [name]: value } : { [name]: value };
}

describe('number settings outside their range', () => {
  test.each([
    ['LISTEN_REQUEST_TIMEOUT_MS', '3000000000'],
    ['HTTP_TIMEOUT_MS', '3000000000'],
    ['NGROK_TIMEOUT_MS', '2147483648'],
    ['SANDBOX_TOKEN_LIFETIME', '9007199254740991'],
    ['SANDBOX_RETRY_SCHEDULE', '250,9000000'],
    ['SANDBOX_DOMAINKEY', '3000000000'],
    ['BRACKEN_DOMAINKEY', '0'],
    ['JOURNAL_KEEP_FILES', '0'],
    ['SANDBOX_EXPIRING_DAYS', '0'],
    ['SANDBOX_EXPIRING_DAYS', '3651'],
  ])('%s=%s is refused with CONFIG_INVALID naming the variable and the range', (name, value) => {
    const error = refusal(envWith(name, value));
    const { min, max } = SETTING_RANGES[name as keyof typeof SETTING_RANGES];
    expect(error.code).toBe(CONFIG_INVALID);
    expect(error.message).toContain(`${name}=`);
    expect(error.message).toContain(`a whole number from ${min} to ${max}`);
    expect(error.hint).toBe(`Fix ${name} in .env or in the environment (see .env.example).`);
  });

  test('a long wrong value is quoted cut to its first 200 characters, not whole (a pasted file, a wrong variable)', () => {
    const pasted = `9${'x'.repeat(5000)}`;
    expect(refusal({ HTTP_TIMEOUT_MS: pasted }).message).toBe(
      `HTTP_TIMEOUT_MS="${pasted.slice(0, 200)}…" is not valid: expected a whole number from 1 to 600000 (milliseconds).`,
    );
  });

  test('durations say their unit', () => {
    expect(refusal({ HTTP_TIMEOUT_MS: '3000000000' }).message).toBe(
      'HTTP_TIMEOUT_MS="3000000000" is not valid: expected a whole number from 1 to 600000 (milliseconds).',
    );
    expect(refusal({ SANDBOX_TOKEN_LIFETIME: '9007199254740991' }).message).toBe(
      'SANDBOX_TOKEN_LIFETIME="9007199254740991" is not valid: expected a whole number from 1 to 604800 (seconds).',
    );
  });

  test.each([
    ['LISTEN_BODY_LIMIT', '65mb', 'a size from 1 to 64mb'],
    ['LISTEN_BODY_LIMIT', '0', 'a size from 1 to 64mb'],
    ['JOURNAL_MAX_BYTES', '1kb', 'a size from 64kb to 1024mb'],
    ['JOURNAL_MAX_BYTES', '2000mb', 'a size from 64kb to 1024mb'],
  ])('%s=%s is refused as outside %s', (name, value, expected) => {
    const error = refusal({ [name]: value });
    expect(error.code).toBe(CONFIG_INVALID);
    expect(error.message).toBe(`${name}=${JSON.stringify(value)} is not valid: expected ${expected}, such as 1048576, 512kb or 1mb.`);
  });

  test('the edges of each range are accepted', () => {
    const config = loadConfig({
      env: {
        HTTP_TIMEOUT_MS: '600000',
        LISTEN_REQUEST_TIMEOUT_MS: '1',
        NGROK_TIMEOUT_MS: '600000',
        SANDBOX_TOKEN_LIFETIME: '604800',
        SANDBOX_RETRY_SCHEDULE: '0,3600000',
        SANDBOX_DOMAINKEY: '2147483647',
        LISTEN_BODY_LIMIT: '64mb',
        JOURNAL_MAX_BYTES: '64kb',
        JOURNAL_KEEP_FILES: '1000',
        SANDBOX_EXPIRING_DAYS: '3650',
      },
    });
    expect(config).toMatchObject({
      httpTimeoutMs: 600_000,
      listen: { requestTimeoutMs: 1, bodyLimitBytes: 64 * 1024 * 1024 },
      ngrok: { timeoutMs: 600_000 },
      journal: { maxBytes: 64 * 1024, keepFiles: 1000 },
      sandbox: { tokenLifetimeSec: 604_800, retryScheduleMs: [0, 3_600_000], domainkey: 2_147_483_647, expiringDays: 3650 },
    });
  });
});

describe('SANDBOX_RETRY_MAX_AGE: a duration with a unit', () => {
  test('defaults to 3 days, like Stripe', () => {
    expect(loadConfig({ env: {} }).sandbox.retryMaxAgeMs).toBe(3 * 24 * 3600 * 1000);
  });

  test.each([
    ['3d', 3 * 24 * 3600 * 1000],
    ['12h', 12 * 3600 * 1000],
    ['30m', 30 * 60 * 1000],
    ['45s', 45_000],
    ['1500ms', 1500],
    ['1500', 1500],
    ['7D', 7 * 24 * 3600 * 1000],
    ['1s', 1000],
    ['30d', 30 * 24 * 3600 * 1000],
  ])('%s is %d ms', (value, ms) => {
    expect(loadConfig({ env: { SANDBOX_RETRY_MAX_AGE: value } }).sandbox.retryMaxAgeMs).toBe(ms);
  });

  test.each(['999ms', '0', '31d', '721h', '3 days', '1.5d', '-1d', 'd'])('%s is refused naming the variable, the range and the format', (value) => {
    const error = refusal({ SANDBOX_RETRY_MAX_AGE: value });
    expect(error.code).toBe(CONFIG_INVALID);
    expect(error.message).toBe(
      `SANDBOX_RETRY_MAX_AGE=${JSON.stringify(value)} is not valid: expected a duration from 1s to 30d, such as 3d, 12h, 30m, 45s or 500ms.`,
    );
  });
});

describe('DEDUPE_RETENTION: how long the file engine remembers dedupe keys', () => {
  test('defaults to 7 days and reads a duration with a unit', () => {
    expect(loadConfig({ env: {} }).journal.dedupeRetentionMs).toBe(7 * 24 * 3600 * 1000);
    expect(loadConfig({ env: { DEDUPE_RETENTION: '90d' } }).journal.dedupeRetentionMs).toBe(90 * 24 * 3600 * 1000);
    expect(loadConfig({ env: { DEDUPE_RETENTION: '1s' } }).journal.dedupeRetentionMs).toBe(1000);
  });

  test.each(['0', '999ms', '366d', '7 days'])('%s is refused naming the variable, the range and the format', (value) => {
    const error = refusal({ DEDUPE_RETENTION: value });
    expect(error.code).toBe(CONFIG_INVALID);
    expect(error.message).toBe(
      `DEDUPE_RETENTION=${JSON.stringify(value)} is not valid: expected a duration from 1s to 365d, such as 3d, 12h, 30m, 45s or 500ms.`,
    );
  });
});

/*
 * Both edges of every whole-number setting, written out as numbers (not read back from
 * SETTING_RANGES, so a changed bound fails here): the edge is accepted, one past it is refused
 * with CONFIG_INVALID, and the message names the variable, the range and its unit.
 */
// name, lowest accepted, highest accepted, the unit the message gives ('' for none)
const WHOLE_NUMBERS: [string, number, number, string][] = [
  ['HTTP_TIMEOUT_MS', 1, 600_000, 'milliseconds'],
  ['LISTEN_REQUEST_TIMEOUT_MS', 1, 600_000, 'milliseconds'],
  ['NGROK_TIMEOUT_MS', 1, 600_000, 'milliseconds'],
  ['SANDBOX_TOKEN_LIFETIME', 1, 604_800, 'seconds'],
  ['SANDBOX_RETRY_SCHEDULE', 0, 3_600_000, 'milliseconds'],
  ['SANDBOX_DOMAINKEY', 1, 2_147_483_647, ''],
  ['SANDBOX_EXPIRING_DAYS', 1, 3650, 'days'],
  ['BRACKEN_DOMAINKEY', 1, 2_147_483_647, ''],
  ['JOURNAL_KEEP_FILES', 1, 1000, ''],
  ['HANDLER_RETRY_LIMIT', 0, 100, ''],
  ['HANDLER_RETRY_DELAY_MS', 0, 3_600_000, 'milliseconds'],
  ['HANDLER_TIMEOUT_MS', 1, 3_600_000, 'milliseconds'],
  ['WORKER_CONCURRENCY', 1, 1000, ''],
];

describe('whole-number settings at their edges', () => {
  test.each(WHOLE_NUMBERS)('%s accepts %d and %d', (name, min, max) => {
    expect(() => loadConfig({ env: envWith(name, String(min)) })).not.toThrow();
    expect(() => loadConfig({ env: envWith(name, String(max)) })).not.toThrow();
  });

  test.each(WHOLE_NUMBERS)('%s refuses one past either edge (from %d to %d), naming the variable and the range', (name, min, max, unit) => {
    const range = `a whole number from ${min} to ${max}${unit === '' ? '' : ` (${unit})`}`;
    const outside = [String(max + 1), ...(min > 0 ? [String(min - 1)] : [])];
    for (const value of outside) {
      const error = refusal(envWith(name, value));
      expect(error.code).toBe(CONFIG_INVALID);
      expect(error.variable).toBe(name);
      expect(error.message).toBe(`${name}=${JSON.stringify(value)} is not valid: expected ${range}.`);
    }
  });
});

describe('sizes and durations at their edges', () => {
  test('LISTEN_BODY_LIMIT takes 1 byte to 64mb exactly, JOURNAL_MAX_BYTES 64kb to 1024mb', () => {
    expect(loadConfig({ env: { LISTEN_BODY_LIMIT: '1' } }).listen.bodyLimitBytes).toBe(1);
    expect(loadConfig({ env: { LISTEN_BODY_LIMIT: String(64 * 1024 * 1024) } }).listen.bodyLimitBytes).toBe(64 * 1024 * 1024);
    expect(refusal({ LISTEN_BODY_LIMIT: String(64 * 1024 * 1024 + 1) }).variable).toBe('LISTEN_BODY_LIMIT');
    expect(loadConfig({ env: { JOURNAL_MAX_BYTES: '1024mb' } }).journal.maxBytes).toBe(1024 * 1024 * 1024);
    expect(refusal({ JOURNAL_MAX_BYTES: String(64 * 1024 - 1) }).variable).toBe('JOURNAL_MAX_BYTES');
  });

  test('DEDUPE_RETENTION takes 365d and refuses 365d plus 1 ms; SANDBOX_RETRY_MAX_AGE takes 30d and refuses one ms more', () => {
    const day = 24 * 3600 * 1000;
    expect(loadConfig({ env: { DEDUPE_RETENTION: '365d' } }).journal.dedupeRetentionMs).toBe(365 * day);
    expect(refusal({ DEDUPE_RETENTION: String(365 * day + 1) }).variable).toBe('DEDUPE_RETENTION');
    expect(loadConfig({ env: { SANDBOX_RETRY_MAX_AGE: '30d' } }).sandbox.retryMaxAgeMs).toBe(30 * day);
    expect(refusal({ SANDBOX_RETRY_MAX_AGE: String(30 * day + 1) }).variable).toBe('SANDBOX_RETRY_MAX_AGE');
  });
});
