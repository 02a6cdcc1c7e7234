/**
 * Both edges of every whole-number setting, written out as numbers (not read back from
 * SETTING_RANGES, so a changed bound fails here): the edge is accepted, one past it is refused
 * with CONFIG_INVALID, and the message names the variable, the range and its unit.
 */
import { describe, expect, test } from 'vitest';
import { loadConfig, type Env } from '../../steps/lib/core/config.ts';
import { CONFIG_INVALID, ConfigError } from '../../steps/lib/core/errors.ts';

const BRACKEN: Env = { BRACKEN_CLIENT_ID: 'bracken-client', BRACKEN_CLIENT_SECRET: 'client-secret', BRACKEN_DOMAINKEY: '15435' };

/** BRACKEN_DOMAINKEY only counts with the real Bracken's variables. */
function envWith(name: string, value: string): Env {
  return name === 'BRACKEN_DOMAINKEY' ? { ...BRACKEN, [name]: value } : { [name]: value };
}

function refusal(env: Env): ConfigError {
  try {
    loadConfig({ env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted it');
}

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
