/**
 * Strong random values for the things the tutorial hard-codes: the webhook secret ("12345"),
 * the test user's name ("Test-User") and password. All come from node:crypto's CSPRNG.
 *
 * @example
 * generateSecret()   // 'mJ0d…' (43 base64url characters = 32 random bytes)
 * generateUsername() // 'Test-User-k3v9x0qa'
 * generatePassword() // 28 characters with upper, lower, digit and symbol
 */
import { randomBytes, randomInt } from 'node:crypto';

/** Random bytes in a generated webhook secret: 256 bits, the strength of HMAC-SHA256 itself. */
const SECRET_BYTES = 32;
export const PASSWORD_LENGTH = 28;

const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const DIGITS = '23456789';
// Symbols that survive JSON, shells and URL forms without escaping surprises.
const SYMBOLS = '!#%*+-=?@^_~';
/** The character classes a generated password always contains at least one of. */
export const PASSWORD_CLASSES: readonly string[] = [UPPER, LOWER, DIGITS, SYMBOLS];
const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A webhook secret: 32 random bytes as base64url (43 characters, no padding, safe in JSON and .env). */
export function generateSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

/** `Test-User-<8 random base36 characters>`: unique enough that re-runs never collide. */
export function generateUsername(prefix = 'Test-User'): string {
  return `${prefix}-${pick(BASE36, 8)}`;
}

/**
 * A password of `length` characters (at least 16) with at least one upper-case letter, lower-case
 * letter, digit and symbol, in random positions. Look-alike characters (0/O, 1/l/I) are left out.
 */
export function generatePassword(length = PASSWORD_LENGTH): string {
  if (!Number.isSafeInteger(length) || length < 16) {
    throw new RangeError(`[workbench] password length must be a whole number of at least 16, got ${length}`);
  }
  const all = PASSWORD_CLASSES.join('');
  // One character from each class, the rest from all of them, then a Fisher-Yates shuffle.
  const chars = [...PASSWORD_CLASSES.map((set) => pick(set, 1)), ...pick(all, length - PASSWORD_CLASSES.length)];
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}

/** `count` characters drawn uniformly from `alphabet` (randomInt avoids modulo bias). */
function pick(alphabet: string, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}
